// The HTTP server of a topology on loopback: the web UI's files with their
// types and a Content-Security-Policy on every answer, 404 for files it
// does not have, and the actions: 401 without the token, 405 where they
// are not offered (gale local).

#include "tmaster/http_server.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>

#include "tmaster/embedded_files.h"
#include "tmaster/metrics_store.h"
#include "unit/stmgr/test_plan.h"

namespace gale::tmaster {
namespace {

class Served : public ::testing::Test {
 protected:
  void Start(HttpOptions o) {
    o.bind_address = "127.0.0.1";
    o.port = 0;
    o.view = [this] { return store_.View(0); };
    o.command = [this](const std::string& command) {
      ++commands_;
      return records::Reply{true, command, {}, {}};
    };
    ASSERT_TRUE(server_.Start(std::move(o)).ok());
    const std::string url = server_.url();
    const int port = std::stoi(url.substr(url.rfind(':') + 1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port);
    client_->set_read_timeout(10, 0);
  }

  MetricsStore store_{"words", stmgr::testing::TestPlan(), "hostA"};
  std::atomic<int> commands_{0};
  HttpServer server_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(Served, TheUiIsBuiltInWithItsTypesAndAPolicyAllowingOnlyThisServer) {
  ASSERT_NO_FATAL_FAILURE(Start({}));
  struct File {
    std::string path, name, type;
  };
  for (const File& f : {File{"/", "index.html", "text/html; charset=utf-8"},
                        File{"/ui/app.js", "app.js", "text/javascript; charset=utf-8"},
                        File{"/ui/app.css", "app.css", "text/css; charset=utf-8"}}) {
    auto r = client_->Get(f.path.c_str());
    ASSERT_TRUE(r) << f.path;
    EXPECT_EQ(r->status, 200) << f.path;
    EXPECT_EQ(r->get_header_value("Content-Type"), f.type) << f.path;
    const EmbeddedFile* e = FindEmbeddedFile(f.name);
    ASSERT_NE(e, nullptr) << f.name;
    EXPECT_EQ(r->body, std::string(e->data, e->size)) << f.path;
    EXPECT_GT(r->body.size(), 100u) << f.path;
  }
  for (const char* path : {"/", "/metrics", "/api/v1/topologies", "/ui/none.js"}) {
    auto r = client_->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->get_header_value("Content-Security-Policy"),
              "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
              "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
        << path;
    EXPECT_EQ(r->get_header_value("X-Content-Type-Options"), "nosniff") << path;
  }
  auto missing = client_->Get("/ui/none.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto outside = client_->Get("/ui/../CMakeLists.txt");
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 404);
}

TEST_F(Served, ActionsNeedTheToken) {
  HttpOptions o;
  o.token = std::string(64, 'a');
  ASSERT_NO_FATAL_FAILURE(Start(std::move(o)));
  auto anonymous = client_->Post("/api/v1/topologies/words/deactivate", "", "text/plain");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  httplib::Headers auth = {{"Authorization", "Bearer " + std::string(64, 'a')}};
  auto ok = client_->Post("/api/v1/topologies/words/deactivate", auth, "", "text/plain");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(commands_.load(), 1);
}

TEST_F(Served, ActionsNotOfferedAreAnswered405) {
  HttpOptions o;
  o.token = std::string(64, 'a');
  o.actions_unsupported = "not here";
  ASSERT_NO_FATAL_FAILURE(Start(std::move(o)));
  httplib::Headers auth = {{"Authorization", "Bearer " + std::string(64, 'a')}};
  for (const char* action : {"activate", "deactivate"}) {
    auto r = client_->Post(("/api/v1/topologies/words/" + std::string(action)).c_str(), auth, "",
                           "text/plain");
    ASSERT_TRUE(r) << action;
    EXPECT_EQ(r->status, 405) << action;
    EXPECT_EQ(r->get_header_value("Allow"), "GET");
    EXPECT_NE(r->body.find("not here"), std::string::npos) << r->body;
  }
  EXPECT_EQ(commands_.load(), 0);
}

}  // namespace
}  // namespace gale::tmaster
