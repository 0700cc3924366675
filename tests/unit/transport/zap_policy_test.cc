// The ZAP handler's decisions (transport/zap_policy.h), fed the frames
// libzmq sends: only the topology's client key gets through a CURVE socket,
// only NULL a plain one, and no socket takes more than its bound.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transport/zap_policy.h"

namespace gale::transport {
namespace {

const std::string kClientKey(32, '\x11');

std::vector<std::string> Request(const std::string& domain, const std::string& mechanism,
                                 const std::string& credentials = "") {
  std::vector<std::string> r = {"1.0", "7", domain, "127.0.0.1", "", mechanism};
  if (mechanism == "CURVE") r.push_back(credentials);
  return r;
}

ZapPolicy Policy() {
  ZapPolicy p(kClientKey);
  p.AddDomain("data", /*curve=*/true, 2);
  p.AddDomain("instances", /*curve=*/false, 2);
  p.Accepted("data");
  p.Accepted("instances");
  return p;
}

TEST(ZapPolicy, AdmitsTheTopologysClientKeyOnACurveSocket) {
  ZapPolicy p = Policy();
  ZapDecision d = p.Decide(Request("data", "CURVE", kClientKey));
  EXPECT_TRUE(d.admitted()) << d.status_text;
  EXPECT_EQ(d.status_code, "200");
  std::vector<std::string> reply = ZapPolicy::Reply(Request("data", "CURVE", kClientKey), d);
  ASSERT_EQ(reply.size(), 6u);
  EXPECT_EQ(reply[0], "1.0");
  EXPECT_EQ(reply[1], "7");  // the request id echoed
  EXPECT_EQ(reply[2], "200");
}

TEST(ZapPolicy, RefusesAnotherKeyAPlainClientAndAnUnknownDomain) {
  ZapPolicy p = Policy();
  ZapDecision other = p.Decide(Request("data", "CURVE", std::string(32, '\x22')));
  EXPECT_EQ(other.status_code, "400");
  EXPECT_EQ(other.address, "127.0.0.1");
  EXPECT_EQ(p.Decide(Request("data", "NULL")).status_code, "400");
  EXPECT_EQ(p.Decide(Request("data", "PLAIN")).status_code, "400");
  EXPECT_EQ(p.Decide(Request("data", "CURVE", "")).status_code, "400");
  std::vector<std::string> no_credentials = Request("data", "CURVE", kClientKey);
  no_credentials.pop_back();
  EXPECT_EQ(p.Decide(no_credentials).status_code, "400");
  EXPECT_EQ(p.Decide(Request("elsewhere", "CURVE", kClientKey)).status_code, "400");
  EXPECT_EQ(p.Decide(Request("", "NULL")).status_code, "400");
  // The refusal's reply carries no user id.
  std::vector<std::string> reply = ZapPolicy::Reply(Request("data", "NULL"), other);
  EXPECT_EQ(reply[4], "");
}

TEST(ZapPolicy, PlainSocketsTakeOnlyNull) {
  ZapPolicy p = Policy();
  EXPECT_TRUE(p.Decide(Request("instances", "NULL")).admitted());
  EXPECT_EQ(p.Decide(Request("instances", "CURVE", kClientKey)).status_code, "400");
}

TEST(ZapPolicy, WithoutKeysNoCurveClientGetsIn) {
  ZapPolicy p("");
  p.AddDomain("data", /*curve=*/true, 8);
  EXPECT_EQ(p.Decide(Request("data", "CURVE", "")).status_code, "400");
  EXPECT_EQ(p.Decide(Request("data", "CURVE", std::string(32, '\0'))).status_code, "400");
}

TEST(ZapPolicy, MalformedRequestsAreRefused) {
  ZapPolicy p = Policy();
  EXPECT_EQ(p.Decide({}).status_code, "500");
  EXPECT_EQ(p.Decide({"1.0", "1", "data"}).status_code, "500");
  std::vector<std::string> wrong_version = Request("data", "CURVE", kClientKey);
  wrong_version[0] = "2.0";
  EXPECT_EQ(p.Decide(wrong_version).status_code, "500");
  // A reply is still well formed, so the REP socket can go on.
  EXPECT_EQ(ZapPolicy::Reply({}, p.Decide({})).size(), 6u);
}

TEST(ZapPolicy, ConnectionsAboveTheBoundAreRefusedUntilOneCloses) {
  ZapPolicy p = Policy();  // "data": at most 2, one open
  p.Accepted("data");      // the second: still admitted
  EXPECT_EQ(p.open_connections("data"), 2u);
  EXPECT_TRUE(p.Decide(Request("data", "CURVE", kClientKey)).admitted());
  p.Accepted("data");      // a third connection is handshaking
  ZapDecision d = p.Decide(Request("data", "CURVE", kClientKey));
  EXPECT_EQ(d.status_code, "300");  // temporary: the client reconnects
  EXPECT_NE(d.status_text.find("at most 2"), std::string::npos) << d.status_text;
  // Without the key it is a 400, whatever the count.
  EXPECT_EQ(p.Decide(Request("data", "NULL")).status_code, "400");
  p.Disconnected("data");  // the refused one goes away
  p.Disconnected("data");  // and one of the first two
  p.Accepted("data");      // the retry
  EXPECT_TRUE(p.Decide(Request("data", "CURVE", kClientKey)).admitted());
  // Other sockets have their own count; closing more than opened stays at 0.
  EXPECT_EQ(p.open_connections("instances"), 1u);
  for (int i = 0; i < 5; ++i) p.Disconnected("instances");
  EXPECT_EQ(p.open_connections("instances"), 0u);
}

}  // namespace
}  // namespace gale::transport
