// One randomized test for every decoder of bytes that come from another
// process: control messages, state records and metrics snapshots. Random
// byte strings and mutations of valid encodings must give a value or a
// Status, never a throw or a crash; what decodes must re-encode to bytes that
// decode to the same record.

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "metrics/snapshot.h"
#include "records/control.h"
#include "records/state_records.h"

namespace gale::records {
namespace {

struct Codec {
  const char* name;
  std::vector<std::string> valid;  // encodings to mutate
  // Decodes; on success returns the re-encoding of the decoded record.
  std::function<std::optional<std::string>(std::string_view)> decode_encode;
};

template <typename R>
Codec StateCodec(const char* name, std::vector<R> samples) {
  Codec c{name, {}, [](std::string_view bytes) -> std::optional<std::string> {
            R r;
            if (!Decode(bytes, &r).ok()) return std::nullopt;
            return Encode(r);
          }};
  for (const R& r : samples) c.valid.push_back(Encode(r));
  return c;
}

template <typename R>
Codec SnapshotCodec(const char* name, R sample) {
  return Codec{name, {metrics::Encode(sample)}, [](std::string_view bytes) -> std::optional<std::string> {
                 R r;
                 if (!metrics::Decode(bytes, &r).ok()) return std::nullopt;
                 return metrics::Encode(r);
               }};
}

std::vector<Codec> AllCodecs() {
  std::vector<Codec> codecs;
  Codec control{"control", {}, [](std::string_view bytes) -> std::optional<std::string> {
                  auto m = DecodeControl(bytes);
                  if (!m.ok()) return std::nullopt;
                  return EncodeControl(*m);
                }};
  for (const ControlRecord& m : std::vector<ControlRecord>{
           Register{1, "tcp://127.0.0.1:5000", 1234, "abc.3"}, Hello{7},
           Plan{"v.1", true, {{0, "tcp://127.0.0.1:1"}, {1, "tcp://127.0.0.1:2"}}}, Activate{},
           Deactivate{}, ThrottleOn{}, ThrottleOff{}, BackpressureOn{2, "count:4"},
           BackpressureOff{2, ""}, Request{"deactivate"}, Reply{true, "done", {}, {}},
           Reply{true, "1 tasks", {"task=1\x1f" "kind=bolt"}, {"container=1"}}, Consumed{8}}) {
    control.valid.push_back(EncodeControl(m));
  }
  codecs.push_back(control);
  codecs.push_back(StateCodec<PackingPlan>("packing", {{2, {{1, 0, "spout"}, {2, 1, "split"}}}}));
  codecs.push_back(StateCodec<PhysicalPlan>("physical", {{"v.2", {{0, "tcp://h:1", 100}}}}));
  codecs.push_back(StateCodec<Activation>("activation", {{false}}));
  codecs.push_back(StateCodec<MasterLocation>(
      "tmaster", {{99, "tcp://127.0.0.1:9", "http://127.0.0.1:8"},
                  {99, "tcp://127.0.0.1:9", "", 123456},
                  {99, "tcp://10.0.0.5:9", "", 1, "node-1"}}));
  codecs.push_back(StateCodec<ProcessRecord>(
      "pids", {{4321, 3, ""},
               {4321, 3, "exited with 1; 3 exits within 300 s"},
               {4321, 0, "", 98765},
              {4321, 0, "", 1, "node-1"}}));
  codecs.push_back(StateCodec<SchedulerRecord>("scheduler", {{77}, {77, 42}}));
  codecs.push_back(StateCodec<SlurmJobs>(
      "slurm", {{{{"tmaster", "101"}, {"executor-0", "102"}, {"executor-1", "103_4"}}}}));
  codecs.push_back(StateCodec<JobLocation>(
      "job", {{4321, "101", "gn1", "10.0.0.5"}, {4321, "102", "node-7", ""}}));
  codecs.push_back(StateCodec<Submission>(
      "submit", {{"/t.yaml", "", {"/a.so", "/b.so"}, {"/f.properties"}, true, {"k=v"}, "", ""},
                 {"/t.yaml", "", {}, {}, false, {}, std::string(64, 'e'), "/s/" + std::string(64, 'e')}}));
  codecs.push_back(StateCodec<TaskError>("errors", {{"Prepare threw"}}));
  codecs.push_back(StateCodec<CurveKeys>(
      "keys", {{std::string(40, 'a'), std::string(40, 'b'), std::string(40, 'c'),
                std::string(40, 'd')}}));
  metrics::TaskSnapshot task;
  task.task = 3;
  task.component = "split";
  task.kind = "bolt";
  task.pid = 55;
  codecs.push_back(SnapshotCodec("metrics/task", task));
  metrics::StmgrSnapshot stmgr;
  stmgr.container = 1;
  stmgr.endpoint = "tcp://127.0.0.1:7";
  codecs.push_back(SnapshotCodec("metrics/stmgr", stmgr));
  return codecs;
}

std::string Mutate(std::string s, std::mt19937_64& rng) {
  static const char* kPieces[] = {"=",  "\n", "-1",  "99999999999999999999", "container",
                                  "x",  "\0", "task", "pid=1",                "==\n=",
                                  " ",  "\xff"};
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits; ++i) {
    std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!s.empty()) s[pos % s.size()] ^= static_cast<char>(1 << (rng() % 8));
        break;
      case 1:  // truncate
        s.resize(pos);
        break;
      case 2:  // insert a piece
        s.insert(pos, std::string(kPieces[rng() % std::size(kPieces)]));
        break;
      case 3: {  // duplicate a line
        auto nl = s.find('\n', pos);
        std::size_t start = s.rfind('\n', pos == 0 ? 0 : pos - 1);
        start = start == std::string::npos ? 0 : start + 1;
        if (nl != std::string::npos && nl >= start) s.insert(start, s.substr(start, nl - start + 1));
        break;
      }
      case 4: {  // drop a line
        auto nl = s.find('\n', pos);
        if (nl != std::string::npos) s.erase(pos, nl - pos + 1);
        break;
      }
      default:  // replace a digit run with a huge or negative number
        for (std::size_t i2 = pos; i2 < s.size(); ++i2) {
          if (s[i2] >= '0' && s[i2] <= '9') {
            s.replace(i2, 1, rng() % 2 ? "-5" : "18446744073709551616");
            break;
          }
        }
    }
  }
  return s;
}

TEST(DecoderFuzzTest, EveryDecoderRefusesOrRoundTripsWhateverItIsGiven) {
  std::mt19937_64 rng(20261128);
  for (const Codec& codec : AllCodecs()) {
    SCOPED_TRACE(codec.name);
    for (const std::string& valid : codec.valid) {
      auto again = codec.decode_encode(valid);
      ASSERT_TRUE(again.has_value()) << "a valid encoding must decode";
      EXPECT_EQ(codec.decode_encode(*again), again);
    }
    int decoded = 0;
    for (int i = 0; i < 3000; ++i) {
      std::string input;
      if (i % 3 == 0) {
        input.resize(rng() % 200);
        for (char& ch : input) ch = static_cast<char>(rng());
        if (i % 2 == 0 && !codec.valid.empty()) input.insert(0, codec.valid[0].substr(0, 3));
      } else {
        input = Mutate(codec.valid[rng() % codec.valid.size()], rng);
      }
      std::optional<std::string> out;
      ASSERT_NO_THROW(out = codec.decode_encode(input));
      if (out) {
        ++decoded;
        // What decodes is a record: its encoding decodes to the same record.
        auto twice = codec.decode_encode(*out);
        ASSERT_TRUE(twice.has_value());
        EXPECT_EQ(*twice, *out);
      }
    }
    // The mutations leave some records valid; a decoder that refuses
    // everything would pass the loop above without testing anything.
    EXPECT_GT(decoded, 0);
  }
}

}  // namespace
}  // namespace gale::records
