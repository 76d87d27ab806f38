# crypto_bench: ML-DSA, SHA3-256 and OpenSSL baselines in one binary (see the
# top of crypto_bench.cc). Built by default, never run as a test:
#   build/bench/crypto_bench [--benchmark_repetitions=3]
add_executable(crypto_bench ${CMAKE_CURRENT_SOURCE_DIR}/crypto_bench.cc)
target_link_libraries(crypto_bench PRIVATE pqbpf_crypto OpenSSL::Crypto benchmark::benchmark)

# The ML-DSA benchmarks need ML-DSA inside pqbpf_crypto (src/crypto has been
# fully processed by now, so its source list is final).
get_target_property(_pqbpf_crypto_sources pqbpf_crypto SOURCES)
get_target_property(_pqbpf_crypto_links pqbpf_crypto LINK_LIBRARIES)
list(FILTER _pqbpf_crypto_sources INCLUDE REGEX "mldsa")
list(FILTER _pqbpf_crypto_links INCLUDE REGEX "mldsa")
if(_pqbpf_crypto_sources OR _pqbpf_crypto_links)
  target_compile_definitions(crypto_bench PRIVATE PQBPF_BENCH_MLDSA)
else()
  message(STATUS "pqbpf_crypto has no ML-DSA sources yet: crypto_bench measures SHA3 only")
endif()
