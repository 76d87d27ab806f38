# transparent_gate_bench: the skeleton loader loading the xdp_counter sample
# 1,000 times under `pqc-bpf run --envelopes` against on its own (see the top
# of transparent_gate_bench.cc); needs root:
#   build/bench/transparent_gate_bench [--benchmark_repetitions=3]
if(TARGET skeleton_loader)
  add_executable(transparent_gate_bench ${CMAKE_CURRENT_SOURCE_DIR}/transparent_gate_bench.cc)
  target_link_libraries(transparent_gate_bench PRIVATE benchmark::benchmark)
  add_dependencies(transparent_gate_bench skeleton_loader pqc-bpf bpf_xdp_counter)
  target_compile_definitions(transparent_gate_bench PRIVATE
    PQBPF_CLI="$<TARGET_FILE:pqc-bpf>"
    PQBPF_SKELETON_LOADER="$<TARGET_FILE:skeleton_loader>"
    PQBPF_BENCH_SAMPLE="${CMAKE_BINARY_DIR}/examples/bpf/xdp_counter.bpf.o")
endif()
