# pqbpf_bpf_object(name SOURCE file.bpf.c [DEPENDS header ...])
# Compiles BPF C with clang -target bpf -g -O2 (so BTF and BTF.ext are
# emitted) into ${CMAKE_CURRENT_BINARY_DIR}/name.bpf.o, as target bpf_<name>.
# SOURCE may be relative to the calling directory. Every object is also
# appended to the global property PQBPF_BPF_OBJECT_TARGETS so tests can
# depend on all of them.
set(PQBPF_BPF_INCLUDE_ARCH_DIR "/usr/include/${CMAKE_LIBRARY_ARCHITECTURE}")
function(pqbpf_bpf_object name)
  cmake_parse_arguments(ARG "" "SOURCE" "DEPENDS" ${ARGN})
  get_filename_component(src "${ARG_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${name}.bpf.o")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${PQBPF_CLANG} -target bpf -g -O2 -D__TARGET_ARCH_x86
            -Wall -Werror
            -I${PQBPF_BPF_INCLUDE_ARCH_DIR} -I${CMAKE_SOURCE_DIR}/bpf/include
            -c "${src}" -o "${out}"
    DEPENDS "${src}" ${ARG_DEPENDS}
    COMMENT "clang -target bpf ${name}.bpf.c"
    VERBATIM)
  add_custom_target(bpf_${name} ALL DEPENDS "${out}")
  set_property(GLOBAL APPEND PROPERTY PQBPF_BPF_OBJECT_TARGETS bpf_${name})
endfunction()
