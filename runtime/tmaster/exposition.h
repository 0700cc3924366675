#pragma once

// How the topology master's HTTP endpoints render a TopologyView:
// Prometheus text format (version 0.0.4) for /metrics and JSON for
// /api/v1/topologies/NAME. docs/observability.md lists every metric and
// field. Ids are label values, never parts of metric names.

#include <string>

#include <nlohmann/json.hpp>

#include "tmaster/metrics_store.h"

namespace gale::tmaster {

std::string PrometheusText(const TopologyView& view);

// The summary listed by /api/v1/topologies.
nlohmann::json TopologySummaryJson(const TopologyView& view);
// Everything /api/v1/topologies/NAME returns.
nlohmann::json TopologyJson(const TopologyView& view);

// The text of `j`, indented. Strings that are not UTF-8 (error messages
// of user code may be anything) get U+FFFD instead of throwing.
std::string DumpJson(const nlohmann::json& j);

// A label value with `\`, `"` and newlines escaped.
std::string EscapeLabel(const std::string& value);

}  // namespace gale::tmaster
