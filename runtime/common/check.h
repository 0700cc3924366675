#pragma once

// GALE_CHECK(cond) aborts with file:line and the condition when a broken
// invariant is found. Not for user input: that gets a Status.

#include <cstdio>
#include <cstdlib>

#define GALE_CHECK(cond)                                                          \
  do {                                                                            \
    if (!(cond)) {                                                                \
      std::fprintf(stderr, "gale: internal check failed at %s:%d: %s\n", __FILE__, \
                   __LINE__, #cond);                                              \
      std::abort();                                                               \
    }                                                                             \
  } while (0)
