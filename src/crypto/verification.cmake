# Cross-checks of the crypto module against independent implementations:
# SHA3/SHAKE against OpenSSL 3.0's EVP, ML-DSA against @noble/post-quantum
# (tests/npm, pinned by its package-lock.json). Included from
# src/crypto/CMakeLists.txt.

pqbpf_add_gtest(sha3_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/sha3_test.cc
  LIBS pqbpf_crypto OpenSSL::Crypto
  LABELS crypto)

pqbpf_add_gtest(keccak_f1600_test
  SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/keccak_f1600_test.cc
  LIBS pqbpf_crypto
  LABELS crypto)
# keccak_f1600.h is internal to the module.
target_include_directories(keccak_f1600_test PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})

add_executable(mldsa_differential_tool ${CMAKE_CURRENT_SOURCE_DIR}/mldsa_differential_tool.cc)
target_link_libraries(mldsa_differential_tool PRIVATE pqbpf_crypto)

find_program(PQBPF_NODE NAMES node nodejs REQUIRED)
# Needs tests/npm/node_modules: `npm ci --prefix tests/npm`. The script fails
# (does not skip) when they are missing.
add_test(NAME mldsa_differential
  COMMAND ${PQBPF_NODE} ${CMAKE_SOURCE_DIR}/tests/npm/differential.mjs
          $<TARGET_FILE:mldsa_differential_tool>)
set_tests_properties(mldsa_differential PROPERTIES LABELS "crypto;differential" TIMEOUT 600)
