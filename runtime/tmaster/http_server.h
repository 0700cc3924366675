#pragma once

// The HTTP server of a running topology (cpp-httplib), in its master and in
// `gale local --http`: /metrics in Prometheus text format,
// /api/v1/topologies[/NAME] in JSON, POST
// /api/v1/topologies/NAME/{activate,deactivate} guarded by the topology's
// bearer token, and the web UI at / (its files built into the binary,
// embedded_files.h). Every answer carries a Content-Security-Policy that
// allows nothing but this server. docs/observability.md describes the
// endpoints.
//
// Threads: its own listener, which sleeps in accept(2), and httplib's worker
// pool. Views come from a callback (MetricsStore locks); commands are handed
// to the master's loop through `command`, which blocks until it answered.

#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "common/status.h"
#include "records/control.h"
#include "tmaster/metrics_store.h"

namespace httplib {
class Server;
}

namespace gale::tmaster {

struct HttpOptions {
  std::string bind_address = "127.0.0.1";
  int port = 0;  // 0: any free port
  std::string token;  // empty: the actions are refused (503)
  // Non-empty: the actions are not offered here (405 with this message).
  std::string actions_unsupported;
  std::function<TopologyView()> view;
  std::function<records::Reply(const std::string& command)> command;
};

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();  // stops

  // Binds and starts serving; the URL is then known.
  Status Start(HttpOptions options);
  void Stop();
  const std::string& url() const { return url_; }

 private:
  HttpOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  std::string url_;
};

}  // namespace gale::tmaster
