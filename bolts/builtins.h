#pragma once

// The built-in bolts (SplitSentenceBolt, WordCountBolt, PrinterBolt,
// FileSinkBolt, FailingBolt, ForgetfulBolt, SlowBolt) live in
// libgale_bolts.so and register themselves when it is loaded. A program that
// wants them available calls gale_link_builtin_bolts() once: the reference
// keeps the library on its link line even with --as-needed.

extern "C" void gale_link_builtin_bolts();
