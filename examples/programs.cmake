# The seed's three examples as C++ programs, each run by CTest on our own
# compiled sample (a tracepoint tracer that also loads on this kernel).
set(PQBPF_EXAMPLE_OBJECT "${CMAKE_CURRENT_BINARY_DIR}/bpf/tracepoint_exec.bpf.o")
foreach(example sign_and_verify enforce_load_policy tampered_bytecode_rejected)
  add_executable(${example} ${example}.cc)
  target_link_libraries(${example} PRIVATE pqbpf_gate)
  add_dependencies(${example} bpf_tracepoint_exec)
  add_test(NAME example_${example} COMMAND ${example} ${PQBPF_EXAMPLE_OBJECT})
  set_tests_properties(example_${example} PROPERTIES LABELS examples)
endforeach()

# The README quick start, compiled and run in the samples folder.
add_executable(quick_start quick_start.cc)
target_link_libraries(quick_start PRIVATE pqbpf_gate)
add_dependencies(quick_start bpf_tracepoint_exec)
add_test(NAME example_quick_start COMMAND quick_start WORKING_DIRECTORY ${CMAKE_CURRENT_BINARY_DIR}/bpf)
set_tests_properties(example_quick_start PROPERTIES LABELS examples)
