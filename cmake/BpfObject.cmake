# pqbpf_bpf_object(TARGET name SOURCE file.bpf.c OUTPUT_VAR var)
# Compiles BPF C with clang -target bpf -g -O2 into ${CMAKE_CURRENT_BINARY_DIR}/name.bpf.o.
set(PQBPF_BPF_INCLUDE_ARCH_DIR "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}")
function(pqbpf_bpf_object name)
  cmake_parse_arguments(ARG "" "SOURCE" "" ${ARGN})
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${PQBPF_CLANG} -target bpf -g -O2 -D__TARGET_ARCH_x86
            -I${PQBPF_BPF_INCLUDE_ARCH_DIR} -I${CMAKE_SOURCE_DIR}/bpf/include
            -c "${ARG_SOURCE}" -o "${out}"
    DEPENDS "${ARG_SOURCE}"
    COMMENT "clang -target bpf ${name}.bpf.c"
    VERBATIM)
  add_custom_target(bpf_${name} ALL DEPENDS "${out}")
endfunction()
