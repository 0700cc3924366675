// The built-in components register under their class names when the
// libraries are loaded.

#include <gtest/gtest.h>

#include "bolts/builtins.h"
#include "gale/gale.h"
#include "spouts/builtins.h"

namespace gale {
namespace {

TEST(BuiltinRegistryTest, EverySpoutAndBoltIsRegisteredByClassName) {
  gale_link_builtin_spouts();
  gale_link_builtin_bolts();
  Registry& registry = Registry::Global();
  for (const char* name : {"RandomSentenceSpout", "SequenceSpout", "FileSpout"}) {
    EXPECT_TRUE(registry.HasSpout(name)) << name;
    EXPECT_NE(registry.NewSpout(name), nullptr) << name;
  }
  for (const char* name : {"SplitSentenceBolt", "WordCountBolt", "PrinterBolt", "FileSinkBolt",
                           "FailingBolt", "ForgetfulBolt", "SlowBolt"}) {
    EXPECT_TRUE(registry.HasBolt(name)) << name;
    EXPECT_NE(registry.NewBolt(name), nullptr) << name;
  }
  EXPECT_TRUE(registry.TakeConflicts().empty());
}

}  // namespace
}  // namespace gale
