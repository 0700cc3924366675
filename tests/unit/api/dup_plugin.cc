// A plugin that registers a name the gale program already has, for the
// plugin-conflict test.

#include "gale/gale.h"

namespace {

class SequenceSpoutImpostor : public gale::Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(gale::OutputFieldsDeclarer& d) const override {
    d.Declare(gale::Fields{"id"});
  }
};
GALE_REGISTER_SPOUT_AS(SequenceSpoutImpostor, "SequenceSpout");

class ImpostorOnlyBolt : public gale::Bolt {
 public:
  void Execute(const gale::Tuple&) override {}
};
GALE_REGISTER_BOLT(ImpostorOnlyBolt);

}  // namespace
