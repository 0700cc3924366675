#include <gtest/gtest.h>

#include "common/rate_limited_log.h"
#include "records/control.h"
#include "records/key_values.h"
#include "records/state_records.h"

namespace gale::records {
namespace {

std::string ControlBytes(ControlType type, const std::string& fields) {
  std::string out;
  out.push_back(static_cast<char>(kControlMagic));
  out.push_back(static_cast<char>(kControlVersion));
  out.push_back(static_cast<char>(type));
  return out + fields;
}

TEST(ControlRecordTest, ASnapshotTravelsAsOneValueAndComesBackWhole) {
  const std::string text = "task=3\ncomponent=split\nerror=a\x1f" "b\n";
  std::string flat = FlattenSnapshot(text);
  EXPECT_EQ(flat.find('\n'), std::string::npos);
  EXPECT_EQ(UnflattenSnapshot(flat), "task=3\ncomponent=split\nerror=a b\n");
  Reply r{true, "1 tasks", {flat}, {}};
  auto back = DecodeControl(EncodeControl(r));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(UnflattenSnapshot(std::get<Reply>(*back).tasks.at(0)),
            "task=3\ncomponent=split\nerror=a b\n");
}

TEST(ControlRecordTest, RoundTripsEveryMessage) {
  for (const ControlRecord& m : std::vector<ControlRecord>{
           Register{3, "tcp://127.0.0.1:5", 100, "v.1"}, Hello{2}, Plan{"v", false, {{1, "e"}}},
           BackpressureOn{1, "split:3"}, Request{"activate"}, Reply{false, "no", {}, {}},
           Reply{true, "2 tasks", {"task=1\x1f" "component=a", "task=2"}, {"container=0"}}, Consumed{4}}) {
    auto back = DecodeControl(EncodeControl(m));
    ASSERT_TRUE(back.ok()) << back.status().message();
    EXPECT_EQ(*back, m);
  }
}

TEST(ControlRecordTest, RefusesMalformedFieldsNamingThem) {
  auto bad = DecodeControl(ControlBytes(ControlType::kRegister,
                                        "container=x\nendpoint=tcp://a:1\npid=5\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("container"), std::string::npos);
  EXPECT_FALSE(DecodeControl(ControlBytes(ControlType::kRegister, "task=0\n")).ok());
  EXPECT_FALSE(
      DecodeControl(ControlBytes(ControlType::kRegister, "container=1\nendpoint=e\npid=1\n")).ok());
  EXPECT_FALSE(DecodeControl(ControlBytes(ControlType::kConsumed, "batches=-1\n")).ok());
  EXPECT_FALSE(DecodeControl(ControlBytes(ControlType::kHeartbeat, "")).ok());
  EXPECT_FALSE(DecodeControl(ControlBytes(static_cast<ControlType>(200), "")).ok());
  EXPECT_FALSE(DecodeControl("C\x02\x01").ok());  // unknown version
  EXPECT_FALSE(DecodeControl("").ok());
  EXPECT_FALSE(DecodeControl(ControlBytes(ControlType::kConsumed, "batches\n")).ok());
}

TEST(StateRecordTest, RoundTripsAndRefuses) {
  PackingPlan p{2, {{1, 0, "spout"}, {2, 1, "count"}}};
  auto back = DecodeRecord<PackingPlan>(Encode(p));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, p);
  EXPECT_FALSE(DecodeRecord<PackingPlan>("task=1 x spout\nworkers=2\n").ok());
  EXPECT_FALSE(DecodeRecord<ProcessRecord>("pid=abc\nrestarts=0\n").ok());
  EXPECT_FALSE(DecodeRecord<MasterLocation>("pid=1\nendpoint=tcp://a:1\n").ok());
  EXPECT_FALSE(DecodeRecord<Activation>("active=maybe\n").ok());
  EXPECT_FALSE(DecodeRecord<Activation>(std::string(2 << 20, 'a')).ok());
}

TEST(StateRecordTest, PidRecordsKeepTheStartTimeAndReadOlderOnes) {
  ProcessRecord p{4321, 2, "", 987654};
  auto back = DecodeRecord<ProcessRecord>(Encode(p));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, p);
  EXPECT_NE(Encode(p).find("start=987654\n"), std::string::npos);
  // Written before start times were kept: start 0, identified by command line.
  auto older = DecodeRecord<SchedulerRecord>("pid=77\n");
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->start, 0u);
  EXPECT_FALSE(DecodeRecord<SchedulerRecord>("pid=77\nstart=-1\n").ok());
  EXPECT_FALSE(DecodeRecord<MasterLocation>("pid=7\nendpoint=e\nstart=x\n").ok());
  EXPECT_FALSE(DecodeRecord<ProcessRecord>("pid=7\nrestarts=0\nstart=1\nstart=2\n").ok());
}

TEST(StateRecordTest, SlurmJobsKeepEveryProcessAndItsJobInOrder) {
  SlurmJobs jobs{{{"tmaster", "7"}, {"executor-0", "8"}, {"executor-1", "9"}}};
  EXPECT_EQ(Encode(jobs), "job=tmaster 7\njob=executor-0 8\njob=executor-1 9\n");
  auto back = DecodeRecord<SlurmJobs>(Encode(jobs));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, jobs);
  EXPECT_FALSE(DecodeRecord<SlurmJobs>("job=tmaster\n").ok());
  EXPECT_FALSE(DecodeRecord<SlurmJobs>("job=tmaster 7 8\n").ok());
  JobLocation where{4321, "7", "gn2", "10.9.0.3"};
  auto location = DecodeRecord<JobLocation>(Encode(where));
  ASSERT_TRUE(location.ok()) << location.status().message();
  EXPECT_EQ(*location, where);
  EXPECT_FALSE(DecodeRecord<JobLocation>("pid=4321\njob=7\nhost=h\n").ok());  // no node
}

TEST(StateRecordTest, MasterLocationCarriesTheHttpUrlWhenThereIsOne) {
  MasterLocation with{42, "tcp://127.0.0.1:5", "http://127.0.0.1:8080"};
  auto back = DecodeRecord<MasterLocation>(Encode(with));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, with);
  // Written by a master without HTTP: still readable, with no URL.
  auto old = DecodeRecord<MasterLocation>("pid=42\nendpoint=tcp://127.0.0.1:5\n");
  ASSERT_TRUE(old.ok()) << old.status().message();
  EXPECT_EQ(old->http, "");
  EXPECT_EQ(old->host, "");
}

TEST(StateRecordTest, LocationsAndPidRecordsNameTheirHost) {
  MasterLocation where{42, "tcp://10.0.0.5:4711", "", 99, "node-3"};
  EXPECT_NE(Encode(where).find("host=node-3\n"), std::string::npos);
  auto back = DecodeRecord<MasterLocation>(Encode(where));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, where);
  ProcessRecord pid{7, 1, "", 12, "node-4"};
  auto pid_back = DecodeRecord<ProcessRecord>(Encode(pid));
  ASSERT_TRUE(pid_back.ok()) << pid_back.status().message();
  EXPECT_EQ(*pid_back, pid);
  // Records written before the host was kept read with none.
  auto older = DecodeRecord<ProcessRecord>("pid=7\nrestarts=0\n");
  ASSERT_TRUE(older.ok());
  EXPECT_EQ(older->host, "");
  EXPECT_FALSE(DecodeRecord<ProcessRecord>("pid=7\nrestarts=0\nhost=a\nhost=b\n").ok());
}

TEST(StateRecordTest, HttpTokenIsSixtyFourHexDigits) {
  HttpToken token{std::string(32, 'a') + std::string(32, '7')};
  auto back = DecodeRecord<HttpToken>(Encode(token));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, token);
  EXPECT_FALSE(DecodeRecord<HttpToken>("token=" + std::string(63, 'a') + "\n").ok());
  EXPECT_FALSE(DecodeRecord<HttpToken>("token=" + std::string(63, 'a') + "G\n").ok());
  EXPECT_FALSE(DecodeRecord<HttpToken>("token=" + std::string(63, 'a') + "A\n").ok());
  EXPECT_FALSE(DecodeRecord<HttpToken>("").ok());
}

TEST(StateRecordTest, CurveKeysRoundTripAndRefuseWhatIsNotAKey) {
  const std::string a(40, 'a');
  const std::string b = "0123456789abcdefghij.-:+=^!/*?&<>()[]{}@";
  CurveKeys keys{a, b, "@%$#" + std::string(36, 'Z'), std::string(40, '9')};
  auto back = DecodeRecord<CurveKeys>(Encode(keys));
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, keys);
  EXPECT_TRUE(IsZ85Key(b));
  EXPECT_FALSE(IsZ85Key(std::string(39, 'a')));
  EXPECT_FALSE(IsZ85Key(std::string(41, 'a')));
  EXPECT_FALSE(IsZ85Key(std::string(39, 'a') + " "));
  EXPECT_FALSE(IsZ85Key(std::string(39, 'a') + "\""));
  std::string text = Encode(keys);
  const KeyValues fields = KeyValues::Parse(text);
  // Each field is required, once, and must be a key.
  for (const std::string field : {"server_public", "server_secret", "client_public",
                                  "client_secret"}) {
    std::string without;
    std::string with_short;
    std::string twice = text + field + "=" + a + "\n";
    for (const auto& [k, v] : fields.items()) {
      if (k != field) without += k + "=" + v + "\n";
      with_short += k + "=" + (k == field ? std::string("short") : v) + "\n";
    }
    auto missing = DecodeRecord<CurveKeys>(without);
    ASSERT_FALSE(missing.ok()) << field;
    EXPECT_NE(missing.status().message().find(field), std::string::npos);
    auto bad = DecodeRecord<CurveKeys>(with_short);
    ASSERT_FALSE(bad.ok()) << field;
    // The message names the field but never repeats the value (a secret).
    EXPECT_NE(bad.status().message().find(field), std::string::npos);
    EXPECT_EQ(bad.status().message().find("short"), std::string::npos);
    EXPECT_FALSE(DecodeRecord<CurveKeys>(twice).ok()) << field;
  }
}

TEST(RateLimiterTest, FirstThenOnePerIntervalWithTheSuppressedCount) {
  RateLimiter limiter;
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  auto first = limiter.Allow(t0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0u);
  EXPECT_FALSE(limiter.Allow(t0 + std::chrono::seconds(1)).has_value());
  EXPECT_FALSE(limiter.Allow(t0 + std::chrono::seconds(2)).has_value());
  auto next = limiter.Allow(t0 + std::chrono::seconds(11));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 2u);
}

}  // namespace
}  // namespace gale::records
