# pqbpf_add_gtest(NAME SOURCES a_test.cc ... LIBS lib ... [LABELS l ...])
# One CTest test per test binary; the binary sees PQBPF_SHARED_DIR and
# PQBPF_SOURCE_DIR / PQBPF_BINARY_DIR in its environment.
# CASES F...: instead of one CTest entry, one per gtest filter F, named
# ${name}_F (F's test name, letters only), and started first (COST): for a
# long test whose cases can run beside each other.
function(pqbpf_add_gtest name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS;CASES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gtest_main)
  set(tests)
  if(ARG_CASES)
    foreach(filter ${ARG_CASES})
      string(REGEX REPLACE "^.*\\." "" suffix "${filter}")
      string(REGEX REPLACE "[^A-Za-z0-9]" "" suffix "${suffix}")
      add_test(NAME ${name}_${suffix} COMMAND ${name} --gtest_filter=${filter})
      set_tests_properties(${name}_${suffix} PROPERTIES COST 1000)
      list(APPEND tests ${name}_${suffix})
    endforeach()
  else()
    add_test(NAME ${name} COMMAND ${name})
    set(tests ${name})
  endif()
  set(env "PQBPF_SHARED_DIR=${PQBPF_SHARED_DIR}"
          "PQBPF_HAVE_SHARED=${PQBPF_HAVE_SHARED}"
          "PQBPF_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
          "PQBPF_BINARY_DIR=${CMAKE_BINARY_DIR}")
  set_tests_properties(${tests} PROPERTIES ENVIRONMENT "${env}")
  if(ARG_TIMEOUT)
    set_tests_properties(${tests} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_LABELS)
    set_tests_properties(${tests} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()

# pqbpf_add_script_test(NAME SCRIPT path [ARGS ...]): a bash script run by CTest
# with the same environment plus PQBPF_CLI (path to pqc-bpf).
function(pqbpf_add_script_test name)
  cmake_parse_arguments(ARG "" "SCRIPT;TIMEOUT" "ARGS;LABELS" ${ARGN})
  add_test(NAME ${name} COMMAND bash ${ARG_SCRIPT} ${ARG_ARGS})
  set(env "PQBPF_SHARED_DIR=${PQBPF_SHARED_DIR}"
          "PQBPF_HAVE_SHARED=${PQBPF_HAVE_SHARED}"
          "PQBPF_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
          "PQBPF_BINARY_DIR=${CMAKE_BINARY_DIR}"
          "PQBPF_CLI=$<TARGET_FILE:pqc-bpf>")
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}")
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
endfunction()
