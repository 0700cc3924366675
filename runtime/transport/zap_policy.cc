#include "transport/zap_policy.h"

namespace gale::transport {

void ZapPolicy::AddDomain(const std::string& domain, bool curve, std::size_t max_connections) {
  domains_[domain] = Domain{curve, max_connections, 0};
}

void ZapPolicy::Accepted(const std::string& domain) {
  auto it = domains_.find(domain);
  if (it != domains_.end()) ++it->second.open;
}

void ZapPolicy::Disconnected(const std::string& domain) {
  auto it = domains_.find(domain);
  if (it != domains_.end() && it->second.open > 0) --it->second.open;
}

std::size_t ZapPolicy::open_connections(const std::string& domain) const {
  auto it = domains_.find(domain);
  return it == domains_.end() ? 0 : it->second.open;
}

ZapDecision ZapPolicy::Decide(const std::vector<std::string>& request) const {
  ZapDecision d;
  auto refuse = [&d](const char* code, std::string why) {
    d.status_code = code;
    d.status_text = std::move(why);
    return d;
  };
  // Only libzmq in this process sends requests; still, nothing is assumed.
  if (request.size() < 6 || request[0] != "1.0") return refuse("500", "malformed ZAP request");
  d.domain = request[2];
  d.address = request[3];
  const std::string& mechanism = request[5];
  auto it = domains_.find(d.domain);
  if (it == domains_.end()) return refuse("400", "unknown ZAP domain");
  const Domain& domain = it->second;
  if (domain.curve) {
    if (mechanism != "CURVE") return refuse("400", "mechanism " + mechanism.substr(0, 16) +
                                                       " on a CURVE socket (no keys)");
    if (client_key_.empty() || request.size() < 7 || request[6] != client_key_) {
      return refuse("400", "client key is not the topology's");
    }
  } else if (mechanism != "NULL") {
    return refuse("400", "mechanism " + mechanism.substr(0, 16) + " on a plain socket");
  }
  if (domain.open > domain.max_connections) {
    // 300, temporary: libzmq hangs up without an ERROR (CURVE) or lets the
    // handshake lapse after kHandshakeTimeout (NULL), and the client
    // reconnects. A 400 would make a legitimate client give up for good.
    return refuse("300", "connection limit reached (" + std::to_string(domain.open) +
                             " open, at most " + std::to_string(domain.max_connections) + ")");
  }
  d.status_code = "200";
  d.status_text = "OK";
  return d;
}

std::vector<std::string> ZapPolicy::Reply(const std::vector<std::string>& request,
                                          const ZapDecision& decision) {
  return {"1.0", request.size() > 1 ? request[1] : std::string(), decision.status_code,
          decision.status_text, decision.admitted() ? decision.domain : std::string(),
          std::string()};
}

}  // namespace gale::transport
