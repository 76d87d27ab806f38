# skeleton_loader: a plain libbpf skeleton loader (bpftool gen skeleton of
# the xdp_counter sample, generated at build time), for the transparent
# gate's test (tests/cli/transparent_gate_test.sh) and benchmark.
find_program(PQBPF_BPFTOOL bpftool PATHS /usr/sbin /sbin)
if(PQBPF_BPFTOOL)
  set(skel "${CMAKE_CURRENT_BINARY_DIR}/xdp_counter.skel.h")
  add_custom_command(
    OUTPUT "${skel}"
    COMMAND sh -c "\"${PQBPF_BPFTOOL}\" gen skeleton \"$1\" name xdp_counter > \"$2.tmp\" && mv \"$2.tmp\" \"$2\""
            sh "${CMAKE_CURRENT_BINARY_DIR}/bpf/xdp_counter.bpf.o" "${skel}"
    DEPENDS bpf_xdp_counter "${CMAKE_CURRENT_BINARY_DIR}/bpf/xdp_counter.bpf.o"
    COMMENT "bpftool gen skeleton xdp_counter"
    VERBATIM)
  add_executable(skeleton_loader skeleton_loader.c "${skel}")
  target_include_directories(skeleton_loader PRIVATE ${CMAKE_CURRENT_BINARY_DIR})
  target_link_libraries(skeleton_loader PRIVATE PkgConfig::LIBBPF)
else()
  message(STATUS "bpftool not found: examples/skeleton_loader is not built")
endif()
