# crypto_bench: ML-DSA, SHA3-256 and OpenSSL baselines in one binary (see the
# top of crypto_bench.cc). Built by default, never run as a test:
#   build/bench/crypto_bench [--benchmark_repetitions=3]
add_executable(crypto_bench ${CMAKE_CURRENT_SOURCE_DIR}/crypto_bench.cc)
target_link_libraries(crypto_bench PRIVATE pqbpf_crypto OpenSSL::Crypto benchmark::benchmark)
# For cpu_dispatch.h: the bench prints which implementation level ran.
target_include_directories(crypto_bench PRIVATE ${CMAKE_SOURCE_DIR}/src/crypto)

target_compile_definitions(crypto_bench PRIVATE PQBPF_BENCH_MLDSA)
