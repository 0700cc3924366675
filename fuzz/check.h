#pragma once

// FUZZ_CHECK(condition, what): a property a fuzz target asserts about the
// code under test (round trips, agreement between two decoders). A failed
// check aborts, which libFuzzer reports as a crash with the input.

#include <cstdio>
#include <cstdlib>

#define FUZZ_CHECK(condition, what)                                              \
  do {                                                                           \
    if (!(condition)) {                                                          \
      std::fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__, \
                   #condition, what);                                            \
      std::abort();                                                              \
    }                                                                            \
  } while (false)
