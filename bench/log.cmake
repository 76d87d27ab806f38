# log_bench: audit log appends/s per durability mode against bare write and
# write+fsync loops on the same file system (see the top of log_bench.cc):
#   PQBPF_LOG_BENCH_DIR=/var/tmp build/bench/log_bench [--benchmark_repetitions=3]
add_executable(log_bench ${CMAKE_CURRENT_SOURCE_DIR}/log_bench.cc)
target_link_libraries(log_bench PRIVATE pqbpf_log pqbpf_log_testing benchmark::benchmark)
