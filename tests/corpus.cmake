# Corpus tests: every object of ${PQBPF_SHARED_DIR}/bpf-corpus read in place
# (never copied). They skip when PQBPF_HAVE_SHARED is OFF.
if(TARGET pqbpf_bpf)
  pqbpf_add_gtest(pqbpf_corpus_inspect_test SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/corpus_inspect_test.cc
                  LIBS pqbpf_bpf LABELS corpus TIMEOUT 600)
endif()
