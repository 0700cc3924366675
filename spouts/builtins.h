#pragma once

// The built-in spouts (RandomSentenceSpout, SequenceSpout, FileSpout) live in
// libgale_spouts.so and register themselves when it is loaded. A program that
// wants them available calls gale_link_builtin_spouts() once: the reference
// keeps the library on its link line even with --as-needed.

extern "C" void gale_link_builtin_spouts();
