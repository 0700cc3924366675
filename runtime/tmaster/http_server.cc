#include "tmaster/http_server.h"

#include <httplib.h>

#include <openssl/crypto.h>

#include "common/log.h"
#include "tmaster/embedded_files.h"
#include "tmaster/exposition.h"

namespace gale::tmaster {
namespace {

void Json(httplib::Response& res, int status, const nlohmann::json& body) {
  res.status = status;
  res.set_content(DumpJson(body), "application/json");
}

void Error(httplib::Response& res, int status, const std::string& message) {
  Json(res, status, nlohmann::json{{"error", message}});
}

// Compares in time independent of where the strings differ.
bool SameSecret(const std::string& a, const std::string& b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// Nothing but this server: no other origin, no inline script or style, no
// frames, no forms.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string ContentType(const std::string& name) {
  auto ends = [&](const std::string& ext) {
    return name.size() >= ext.size() &&
           name.compare(name.size() - ext.size(), ext.size(), ext) == 0;
  };
  if (ends(".html")) return "text/html; charset=utf-8";
  if (ends(".js")) return "text/javascript; charset=utf-8";
  if (ends(".css")) return "text/css; charset=utf-8";
  if (ends(".svg")) return "image/svg+xml";
  return "application/octet-stream";
}

void ServeFile(httplib::Response& res, const std::string& name) {
  const EmbeddedFile* f = FindEmbeddedFile(name);
  if (f == nullptr) {
    res.status = 404;
    res.set_content("no such file: " + name + "\n", "text/plain; charset=utf-8");
    return;
  }
  res.set_header("Cache-Control", "no-cache");
  res.set_content(f->data, f->size, ContentType(name).c_str());
}

}  // namespace

HttpServer::HttpServer() = default;

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start(HttpOptions options) {
  options_ = std::move(options);
  server_ = std::make_unique<httplib::Server>();
  httplib::Server& s = *server_;
  // A worker serves one connection at a time, and a browser keeps its
  // connections open: four workers, and a connection idle for a second is
  // closed (the UI reads every 1.5 s), so that open pages do not hold every
  // worker and keep Prometheus waiting.
  s.new_task_queue = [] { return new httplib::ThreadPool(4); };
  s.set_keep_alive_max_count(20);
  s.set_keep_alive_timeout(1);
  // SO_REUSEADDR only: httplib's default, SO_REUSEPORT, would let a second
  // server (another topology given the same http.port) share the port and
  // take half of its connections.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  s.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                         {"X-Content-Type-Options", "nosniff"},
                         {"Referrer-Policy", "no-referrer"}});

  // The web UI: a page, its script and its style sheet.
  s.Get("/", [](const httplib::Request&, httplib::Response& res) { ServeFile(res, "index.html"); });
  s.Get(R"(/ui/([A-Za-z0-9_-]+\.[a-z]+))", [](const httplib::Request& req, httplib::Response& res) {
    ServeFile(res, req.matches[1]);
  });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    res.set_content(PrometheusText(options_.view()), "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get("/api/v1/topologies", [this](const httplib::Request&, httplib::Response& res) {
    Json(res, 200, nlohmann::json{{"topologies", {TopologySummaryJson(options_.view())}}});
  });
  s.Get(R"(/api/v1/topologies/([^/]+))",
        [this](const httplib::Request& req, httplib::Response& res) {
          TopologyView v = options_.view();
          if (req.matches[1] != v.topology) {
            Error(res, 404, "no topology '" + std::string(req.matches[1]) + "' here");
            return;
          }
          Json(res, 200, TopologyJson(v));
        });
  s.Post(R"(/api/v1/topologies/([^/]+)/(activate|deactivate))",
         [this](const httplib::Request& req, httplib::Response& res) {
           const std::string name = req.matches[1];
           const std::string command = req.matches[2];
           if (!options_.actions_unsupported.empty()) {
             res.set_header("Allow", "GET");
             Error(res, 405, options_.actions_unsupported);
             return;
           }
           if (options_.token.empty()) {
             Error(res, 503, "this topology has no HTTP token (submitted by an older gale); "
                             "use `gale " + command + " " + name + "`");
             return;
           }
           const std::string auth = req.get_header_value("Authorization");
           const std::string prefix = "Bearer ";
           if (auth.compare(0, prefix.size(), prefix) != 0 ||
               !SameSecret(auth.substr(prefix.size()), options_.token)) {
             res.set_header("WWW-Authenticate", "Bearer");
             Error(res, 401, "missing or wrong bearer token; the topology's owner finds it "
                             "in its http_token record (docs/observability.md)");
             return;
           }
           TopologyView v = options_.view();
           if (name != v.topology) {
             Error(res, 404, "no topology '" + name + "' here");
             return;
           }
           records::Reply reply = options_.command(command);
           Json(res, reply.ok ? 200 : 500,
                nlohmann::json{{"ok", reply.ok}, {"message", reply.message}});
         });

  int port = options_.port;
  if (port == 0) {
    port = s.bind_to_any_port(options_.bind_address);
    if (port < 0) {
      server_.reset();
      return IoError("cannot bind HTTP on " + options_.bind_address + " (any port)");
    }
  } else if (!s.bind_to_port(options_.bind_address, port)) {
    server_.reset();
    return IoError("cannot bind HTTP on " + options_.bind_address + ":" + std::to_string(port) +
                   "; set http.port to a free port, or 0 for any");
  }
  const bool v6 = options_.bind_address.find(':') != std::string::npos;
  url_ = "http://" + (v6 ? "[" + options_.bind_address + "]" : options_.bind_address) + ":" +
         std::to_string(port);
  thread_ = std::thread([this] {
    // Sleeps in accept(2) until a connection or Stop.
    if (!server_->listen_after_bind()) Logger("tmaster")->warn("HTTP server at {} stopped", url_);
  });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace gale::tmaster
