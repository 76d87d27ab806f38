# The fuzz target table, shared by the libFuzzer build (fuzz/CMakeLists.txt)
# and the replay tests of the normal build (fuzz/replay/CMakeLists.txt).
#
# One entry per parser: "<name>|<library>|<header under include/pqbpf>|<source>".
# fuzz/<name>_fuzzer.cc is the target; fuzz/corpus/<name>/ its seeds;
# fuzz/regressions/<name>/ the inputs of fixed findings; fuzz/dict/<name>.dict
# its dictionary (see scripts/fuzz.sh). A target whose library, header or
# implementation (a source file of the library matching <source>) does not
# exist yet (a module still being written) is skipped, not an error.
set(PQBPF_FUZZ_TARGET_TABLE
  "envelope|pqbpf_core|core/envelope.h|envelope\\.cc"
  "manifest|pqbpf_core|core/manifest.h|manifest\\.cc"
  "key_file|pqbpf_core|core/key_file.h|key_file\\.cc"
  "public_key_file|pqbpf_core|core/public_key_file.h|public_key_file\\.cc"
  "policy|pqbpf_policy|policy/policy_file.h|policy_file\\.cc"
  "log_reader|pqbpf_log|log/log_reader.h|log_reader\\.cc"
  "log_verify|pqbpf_log|log/log_verify.h|log_verify\\.cc"
  "elf|pqbpf_bpf|bpf/object_info.h|inspect\\.cc"
  "verifier|pqbpf_attest|attest/verifier.h|verifier\\.cc"
  "mldsa_verify|pqbpf_crypto|crypto/mldsa.h|mldsa/mldsa\\.cc"
  "mldsa_mutate|pqbpf_crypto|crypto/mldsa.h|mldsa/mldsa\\.cc"
  "gate_request|pqbpf_gate_protocol|daemon/protocol.h|protocol\\.cc"
)

# Sets PQBPF_FUZZ_NAMES (available targets) and PQBPF_FUZZ_LIB_<name>.
# Every target needs ML-DSA linked into pqbpf_crypto (keys, DIDs, signatures).
macro(pqbpf_fuzz_available_targets)
  set(PQBPF_FUZZ_NAMES "")
  set(fuzz_mldsa "")
  if(TARGET pqbpf_crypto)
    get_target_property(fuzz_mldsa pqbpf_crypto SOURCES)
    list(FILTER fuzz_mldsa INCLUDE REGEX "mldsa/mldsa\\.cc$")
  endif()
  foreach(entry IN LISTS PQBPF_FUZZ_TARGET_TABLE)
    string(REPLACE "|" ";" fields "${entry}")
    list(GET fields 0 fuzz_name)
    list(GET fields 1 fuzz_lib)
    list(GET fields 2 fuzz_header)
    list(GET fields 3 fuzz_source)
    set(fuzz_impl "")
    if(TARGET ${fuzz_lib})
      get_target_property(fuzz_impl ${fuzz_lib} SOURCES)
      list(FILTER fuzz_impl INCLUDE REGEX "${fuzz_source}$")
    endif()
    if(fuzz_impl AND fuzz_mldsa AND EXISTS "${CMAKE_SOURCE_DIR}/include/pqbpf/${fuzz_header}"
       AND EXISTS "${CMAKE_SOURCE_DIR}/fuzz/${fuzz_name}_fuzzer.cc")
      list(APPEND PQBPF_FUZZ_NAMES ${fuzz_name})
      set(PQBPF_FUZZ_LIB_${fuzz_name} ${fuzz_lib})
    else()
      message(STATUS "fuzz: ${fuzz_name} skipped (${fuzz_lib} or pqbpf/${fuzz_header} missing)")
    endif()
  endforeach()
endmacro()
