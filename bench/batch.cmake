# batch_bench: verify_envelope_files with 1 and 2 threads over 10,000
# envelopes (see the top of batch_bench.cc):
#   build/bench/batch_bench [ENVELOPES [REPETITIONS [MAX_THREADS]]]
add_executable(batch_bench ${CMAKE_CURRENT_SOURCE_DIR}/batch_bench.cc)
target_link_libraries(batch_bench PRIVATE pqbpf_attest)
add_dependencies(batch_bench bpf_xdp_pass)
target_compile_definitions(batch_bench PRIVATE
  PQBPF_BENCH_SAMPLE="${CMAKE_BINARY_DIR}/examples/bpf/xdp_pass.bpf.o")
