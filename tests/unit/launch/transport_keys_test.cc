// Whether a process of a submitted topology uses CURVE, and with which keys:
// security.curve decides, the `keys` record supplies them, and with CURVE on
// a missing or malformed record is an error, never plain text. The record
// is written as `gale submit` writes it: owner-only.

#include "launch/transport_keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "gale/gale.h"
#include "transport/curve.h"

namespace gale::launch {
namespace {

class SilentSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"x"}); }
};
GALE_REGISTER_SPOUT(SilentSpout);

std::shared_ptr<const plan::TopologyPlan> Plan(std::optional<bool> curve) {
  TopologyBuilder b("keyed");
  b.SetSpout("s", "SilentSpout");
  if (curve) b.config().Set("security.curve", *curve);
  auto plan = plan::TopologyPlan::Build(b.Build(), Registry::Global());
  EXPECT_TRUE(plan.ok()) << plan.status().message();
  return plan.value();
}

class TransportKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gale-keys-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    sm_ = state::MakeStateManager(root_);
    ASSERT_TRUE(sm_->Create("keyed").ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string root_;
  std::unique_ptr<state::StateManager> sm_;
};

TEST_F(TransportKeysTest, OnByDefaultWithTheRecordedKeysReadableByTheOwnerOnly) {
  auto keys = transport::MakeCurveKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().message();
  EXPECT_NE(keys->server_public, keys->client_public);
  EXPECT_TRUE(records::IsZ85Key(keys->server_secret));
  ASSERT_TRUE(sm_->WriteRecord("keyed", kKeysRecord, *keys).ok());
  struct stat st {};
  ASSERT_EQ(::stat(sm_->Path("keyed", kKeysRecord).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  auto loaded = LoadTransportKeys(*sm_, "keyed", *Plan(std::nullopt));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_TRUE(loaded->has_value());
  EXPECT_EQ(**loaded, *keys);
}

TEST_F(TransportKeysTest, OnWithoutUsableKeysIsAnErrorNotPlainText) {
  auto missing = LoadTransportKeys(*sm_, "keyed", *Plan(true));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("submit it again"), std::string::npos);
  ASSERT_TRUE(sm_->Write("keyed", kKeysRecord, "server_public=short\n").ok());
  EXPECT_FALSE(LoadTransportKeys(*sm_, "keyed", *Plan(true)).ok());
}

TEST_F(TransportKeysTest, OffNeedsNoKeys) {
  auto loaded = LoadTransportKeys(*sm_, "keyed", *Plan(false));
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_FALSE(loaded->has_value());
}

}  // namespace
}  // namespace gale::launch
