#pragma once

// `gale local --http PORT`: the topology master's HTTP endpoints and web UI
// (tmaster/http_server.h) served from the local runner while it runs, over
// the same metrics store, fed by the runner's reports
// (local::LocalOptions::on_metrics). Activate and deactivate are not
// offered: a POST is answered 405.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "metrics/report.h"
#include "plan/plan.h"
#include "tmaster/http_server.h"
#include "tmaster/metrics_store.h"

namespace gale::cli {

class LocalHttp {
 public:
  // Binds `port` (0: any free one) on the topology's http.bind.address
  // (127.0.0.1 unless set) and starts serving.
  static Result<std::unique_ptr<LocalHttp>> Start(std::shared_ptr<const plan::TopologyPlan> plan,
                                                  int port);
  ~LocalHttp();  // stops serving

  const std::string& url() const { return server_.url(); }
  void Add(const std::vector<metrics::Report>& reports);

 private:
  explicit LocalHttp(std::shared_ptr<const plan::TopologyPlan> plan);

  tmaster::MetricsStore store_;
  tmaster::HttpServer server_;
};

}  // namespace gale::cli
