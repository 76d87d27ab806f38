// FUZZ_CHECK: the invariant check every fuzz target uses.
//
// A failed invariant (a round trip that changes bytes, a mutated signature
// that verifies) is a finding just like a crash, so it prints what broke and
// aborts; libFuzzer then saves the input, and the replay runner reports it.
// assert() is not used because release builds compile it away.
#pragma once

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(cond, what)                                                  \
  do {                                                                          \
    if (!(cond)) {                                                              \
      std::fprintf(stderr, "%s:%d: invariant failed: %s (%s)\n", __FILE__,      \
                   __LINE__, #cond, what);                                      \
      std::abort();                                                             \
    }                                                                           \
  } while (0)
