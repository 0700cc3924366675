#pragma once

// KafkaBolt lives in libgale_kafka_bolt.so and registers itself when the
// library is loaded (--lib, `libraries:`, or linking it). A program linking
// it calls gale_link_kafka_bolt() once so the reference keeps the library on
// its link line even with --as-needed.

extern "C" void gale_link_kafka_bolt();
