#pragma once

// KafkaSpout lives in libgale_kafka_spout.so and registers itself when the
// library is loaded (--lib, `libraries:`, or linking it). A program linking
// it calls gale_link_kafka_spout() once so the reference keeps the library
// on its link line even with --as-needed.

extern "C" void gale_link_kafka_spout();
