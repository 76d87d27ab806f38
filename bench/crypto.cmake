# crypto_bench: ML-DSA, SHA3-256 and OpenSSL baselines in one binary (see the
# top of crypto_bench.cc). Built by default, never run as a test:
#   build/bench/crypto_bench [--benchmark_repetitions=3]
add_executable(crypto_bench ${CMAKE_CURRENT_SOURCE_DIR}/crypto_bench.cc)
target_link_libraries(crypto_bench PRIVATE pqbpf_crypto OpenSSL::Crypto benchmark::benchmark)

target_compile_definitions(crypto_bench PRIVATE PQBPF_BENCH_MLDSA)
