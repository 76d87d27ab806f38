# gate_bench: allowed loads/s through pqc-bpf-gated against a bare libbpf load
# of the same sample (see the top of gate_bench.cc); needs root:
#   build/bench/gate_bench [--benchmark_repetitions=3]
add_executable(gate_bench ${CMAKE_CURRENT_SOURCE_DIR}/gate_bench.cc)
target_link_libraries(gate_bench PRIVATE pqbpf_daemon pqbpf_attest benchmark::benchmark)
add_dependencies(gate_bench bpf_xdp_pass)
target_compile_definitions(gate_bench PRIVATE
  PQBPF_BENCH_SAMPLE="${CMAKE_BINARY_DIR}/examples/bpf/xdp_pass.bpf.o")
