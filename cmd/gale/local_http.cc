#include "local_http.h"

#include <unistd.h>

#include <chrono>

#include "common/process.h"
#include "topology/defaults.h"

namespace gale::cli {
namespace {

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

LocalHttp::LocalHttp(std::shared_ptr<const plan::TopologyPlan> plan)
    : store_(plan->name(), plan, HostName()) {}

LocalHttp::~LocalHttp() { server_.Stop(); }

Result<std::unique_ptr<LocalHttp>> LocalHttp::Start(
    std::shared_ptr<const plan::TopologyPlan> plan, int port) {
  std::unique_ptr<LocalHttp> http(new LocalHttp(plan));
  tmaster::HttpOptions o;
  o.bind_address = plan->topology_config().GetString(topology::kHttpBindAddressKey,
                                                     topology::kDefaultHttpBindAddress);
  o.port = port;
  o.actions_unsupported =
      "gale local does not activate or deactivate over HTTP; the run stops at its end, "
      "after --duration, or on Ctrl-C";
  tmaster::MetricsStore* store = &http->store_;
  o.view = [store] { return store->View(NowNs()); };
  o.command = [](const std::string&) {
    return records::Reply{false, "not offered by gale local", {}, {}};
  };
  const std::string address = o.bind_address;
  Status s = http->server_.Start(std::move(o));
  if (!s.ok()) {
    return IoError("--http: cannot listen on " + address + ":" + std::to_string(port) +
                   " (in use, or not an address of this host); choose another port, or 0 for "
                   "any free one");
  }
  return http;
}

void LocalHttp::Add(const std::vector<metrics::Report>& reports) {
  const std::int64_t now = NowNs();
  for (const metrics::Report& r : reports) store_.Add(r.stmgr.container, r, now);
}

}  // namespace gale::cli
