#include "cluster/cluster_config.h"

#include <arpa/inet.h>
#include <sys/stat.h>

#include <cctype>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "common/parse.h"
#include "topology/suggest.h"
#include "transport/address.h"

namespace gale::cluster {
namespace {

constexpr const char* kEnv = "GALE_CLUSTER";

// "FILE: ".
std::string Where(const std::string& file) {
  return (file.empty() ? std::string("cluster file") : file) + ": ";
}

// "FILE:LINE:COLUMN: " for a node (1-based).
std::string Where(const std::string& file, const YAML::Mark& mark) {
  if (mark.line < 0) return Where(file);
  return (file.empty() ? std::string("cluster file") : file) + ":" +
         std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

Status Bad(const std::string& file, const YAML::Mark& mark, const std::string& message) {
  return InvalidArgument(Where(file, mark) + message);
}

bool IsPathComponent(std::string_view c) {
  if (c.empty() || c == "." || c == "..") return false;
  for (char ch : c) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '_' || ch == '-';
    if (!ok) return false;
  }
  return true;
}

// "" when `connect` is host:port[,host:port...], else what is wrong.
std::string CheckConnect(const std::string& connect) {
  if (connect.empty()) return "is empty";
  std::stringstream list(connect);
  std::string server;
  while (std::getline(list, server, ',')) {
    auto colon = server.rfind(':');
    if (server.empty() || colon == std::string::npos || colon == 0) {
      return "has '" + server + "', not host:port";
    }
    std::string host = server.substr(0, colon);
    if (host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    for (char ch : host) {
      bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-' ||
                ch == '_' || ch == ':';
      if (!ok) return "has host '" + host + "' with a '" + std::string(1, ch) + "' in it";
    }
    if (!ParseInt(std::string_view(server).substr(colon + 1), 1, 65535, "port").ok()) {
      return "has '" + server + "': the port must be a number in 1..65535";
    }
  }
  if (connect.back() == ',') return "ends with ','";
  return "";
}

// "" when `address` is an address or host name other hosts can connect to.
std::string CheckAdvertise(const std::string& address) {
  unsigned char buf[16];
  const char* a = address.c_str();
  if (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1) {
    if (transport::IsWildcardAddress(address)) {
      return "is a wildcard; name an address or host name peers can connect to";
    }
    return "";
  }
  if (address.empty() || address.size() > 253) return "is not an IP address or a host name";
  for (char ch : address) {
    bool ok = std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '-';
    if (!ok) return "is not an IP address or a host name (it has a '" + std::string(1, ch) + "')";
  }
  if (address.front() == '-' || address.front() == '.') {
    return "is not an IP address or a host name";
  }
  return "";
}

// "" when `root` is an absolute ZooKeeper path gale may use.
// Why `auth` is not "user:password" for ZooKeeper's digest scheme, or "".
std::string CheckAuth(const std::string& auth) {
  auto colon = auth.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == auth.size()) {
    return "must be 'user:password' (ZooKeeper's digest scheme)";
  }
  if (auth.size() > 1024) return "is longer than 1024 characters";
  for (char ch : auth) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f) {
      return "must not contain control characters";
    }
  }
  return "";
}

std::string CheckZkRoot(const std::string& root) {
  if (root.size() < 2 || root[0] != '/') return "must be an absolute path such as /gale";
  if (root.back() == '/') return "must not end with '/'";
  std::stringstream parts(root.substr(1));
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (!IsPathComponent(part)) {
      return "has the component '" + part +
             "' (use letters, digits, '.', '_' and '-'; no empty, '.' or '..' components)";
    }
  }
  if (root == "/zookeeper" || root.rfind("/zookeeper/", 0) == 0) {
    return "is inside /zookeeper, which ZooKeeper reserves";
  }
  return "";
}

struct Parser {
  const std::string& file;
  ClusterConfig* out;

  using Handler = std::function<Status(const YAML::Node&)>;

  Status Scalar(const std::string& key, const YAML::Node& v, std::string* s) const {
    if (!v.IsScalar()) return Bad(file, v.Mark(), key + " must be a single value");
    *s = v.Scalar();
    return Status::Ok();
  }
  Status OneOf(const std::string& key, const YAML::Node& v, const std::vector<std::string>& allowed,
               std::string* s) const {
    GALE_RETURN_IF_ERROR(Scalar(key, v, s));
    for (const std::string& a : allowed) {
      if (*s == a) return Status::Ok();
    }
    std::string list;
    for (const std::string& a : allowed) list += (list.empty() ? "" : " or ") + a;
    return Bad(file, v.Mark(),
               key + ": '" + *s + "' is not " + list + topology::DidYouMean(*s, allowed));
  }
  Status Int(const std::string& key, const YAML::Node& v, int min, int max, int* n) const {
    std::string s;
    GALE_RETURN_IF_ERROR(Scalar(key, v, &s));
    auto parsed = ParseInt(s, min, max, key);
    if (!parsed.ok()) return Bad(file, v.Mark(), parsed.status().message());
    *n = static_cast<int>(*parsed);
    return Status::Ok();
  }
  Status AbsolutePath(const std::string& key, const YAML::Node& v, std::string* s) const {
    GALE_RETURN_IF_ERROR(Scalar(key, v, s));
    if (s->empty() || (*s)[0] != '/') {
      return Bad(file, v.Mark(), key + ": '" + *s + "' is not an absolute path");
    }
    return Status::Ok();
  }

  std::map<std::string, Handler> Handlers() {
    ClusterConfig& c = *out;
    return {
        {"state.manager",
         [&](const YAML::Node& v) {
           std::string s;
           GALE_RETURN_IF_ERROR(OneOf("state.manager", v, {"localfs", "zookeeper"}, &s));
           c.state_manager = s == "zookeeper" ? StateManagerKind::kZooKeeper
                                              : StateManagerKind::kLocalFs;
           return Status::Ok();
         }},
        {"state.root", [&](const YAML::Node& v) { return AbsolutePath("state.root", v, &c.state_root); }},
        {"zookeeper.connect",
         [&](const YAML::Node& v) {
           GALE_RETURN_IF_ERROR(Scalar("zookeeper.connect", v, &c.zookeeper.connect));
           std::string why = CheckConnect(c.zookeeper.connect);
           if (why.empty()) return Status::Ok();
           return Bad(file, v.Mark(), "zookeeper.connect " + why +
                                           " (expected host:port[,host:port...])");
         }},
        {"zookeeper.root",
         [&](const YAML::Node& v) {
           GALE_RETURN_IF_ERROR(Scalar("zookeeper.root", v, &c.zookeeper.root));
           std::string why = CheckZkRoot(c.zookeeper.root);
           if (why.empty()) return Status::Ok();
           return Bad(file, v.Mark(), "zookeeper.root '" + c.zookeeper.root + "' " + why);
         }},
        {"zookeeper.auth",
         [&](const YAML::Node& v) {
           GALE_RETURN_IF_ERROR(Scalar("zookeeper.auth", v, &c.zookeeper.auth));
           // The value is a secret: it stays out of the message.
           if (CheckAuth(c.zookeeper.auth).empty()) return Status::Ok();
           return Bad(file, v.Mark(), "zookeeper.auth " + CheckAuth(c.zookeeper.auth));
         }},
        {"zookeeper.session.timeout.ms",
         [&](const YAML::Node& v) {
           return Int("zookeeper.session.timeout.ms", v, 1000, 600000,
                      &c.zookeeper.session_timeout_ms);
         }},
        {"zookeeper.connect.timeout.ms",
         [&](const YAML::Node& v) {
           return Int("zookeeper.connect.timeout.ms", v, 100, 600000,
                      &c.zookeeper.connect_timeout_ms);
         }},
        {"scheduler",
         [&](const YAML::Node& v) {
           std::string s;
           GALE_RETURN_IF_ERROR(OneOf("scheduler", v, {"local", "slurm"}, &s));
           c.scheduler = s == "slurm" ? SchedulerKind::kSlurm : SchedulerKind::kLocal;
           return Status::Ok();
         }},
        {"slurm.partition",
         [&](const YAML::Node& v) {
           GALE_RETURN_IF_ERROR(Scalar("slurm.partition", v, &c.slurm_partition));
           if (!c.slurm_partition.empty() &&
               c.slurm_partition.find_first_of(" \t,") == std::string::npos) {
             return Status::Ok();
           }
           return Bad(file, v.Mark(), "slurm.partition '" + c.slurm_partition +
                                           "' must be one partition name");
         }},
        {"slurm.args",
         [&](const YAML::Node& v) {
           c.slurm_args.clear();
           if (v.IsSequence()) {
             for (const YAML::Node& a : v) {
               if (!a.IsScalar()) return Bad(file, a.Mark(), "slurm.args: each argument must be a string");
               c.slurm_args.push_back(a.Scalar());
             }
             return Status::Ok();
           }
           std::string s;
           GALE_RETURN_IF_ERROR(Scalar("slurm.args", v, &s));
           std::stringstream words(s);
           for (std::string w; words >> w;) c.slurm_args.push_back(w);
           return Status::Ok();
         }},
        {"package.store",
         [&](const YAML::Node& v) { return AbsolutePath("package.store", v, &c.package_store); }},
        {"transport.bind.address",
         [&](const YAML::Node& v) {
           GALE_RETURN_IF_ERROR(Scalar("transport.bind.address", v, &c.transport_bind_address));
           unsigned char buf[16];
           const char* a = c.transport_bind_address.c_str();
           if (inet_pton(AF_INET, a, buf) == 1 || inet_pton(AF_INET6, a, buf) == 1) {
             return Status::Ok();
           }
           return Bad(file, v.Mark(), "transport.bind.address '" + c.transport_bind_address +
                                           "' is not an IPv4 or IPv6 address (such as 10.0.0.5, "
                                           "or 0.0.0.0 for every interface)");
         }},
        {"transport.advertise.address",
         [&](const YAML::Node& v) {
           std::string& a = c.transport_advertise_address;
           GALE_RETURN_IF_ERROR(Scalar("transport.advertise.address", v, &a));
           std::string why = CheckAdvertise(a);
           if (why.empty()) return Status::Ok();
           return Bad(file, v.Mark(), "transport.advertise.address '" + a + "' " + why);
         }},
    };
  }

  Status Parse(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::ParserException& e) {
      return Bad(file, e.mark, "not valid YAML: " + e.msg);
    }
    if (root.IsNull()) return Status::Ok();  // an empty file: every default
    if (!root.IsMap()) {
      return Bad(file, root.Mark(), "a cluster file is a map of keys (such as state.manager: zookeeper)");
    }
    auto handlers = Handlers();
    std::vector<std::string> known;
    for (const auto& [k, h] : handlers) known.push_back(k);
    std::set<std::string> seen;
    for (const auto& item : root) {
      const YAML::Node& key = item.first;
      if (!key.IsScalar()) return Bad(file, key.Mark(), "keys must be plain names");
      const std::string name = key.Scalar();
      auto it = handlers.find(name);
      if (it == handlers.end()) {
        std::string message = "unknown key '" + name + "'" + topology::DidYouMean(name, known);
        if (item.second.IsMap()) {
          message += "; keys are flat, e.g. '" + name + ".manager: ...', not nested maps";
        }
        return Bad(file, key.Mark(), message + " (known keys: " + [&] {
          std::string list;
          for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
          return list;
        }() + ")");
      }
      if (!seen.insert(name).second) return Bad(file, key.Mark(), "key '" + name + "' appears twice");
      GALE_RETURN_IF_ERROR(it->second(item.second));
    }
    return Status::Ok();
  }
};

}  // namespace

Status ClusterConfig::Validate() const {
  const std::string where = Where(file);
  if (state_manager == StateManagerKind::kZooKeeper) {
    if (zookeeper.connect.empty()) {
      return InvalidArgument(where + "state.manager is zookeeper but zookeeper.connect is not "
                                     "set; add e.g. 'zookeeper.connect: zk1:2181,zk2:2181'");
    }
    if (std::string why = CheckConnect(zookeeper.connect); !why.empty()) {
      return InvalidArgument(where + "zookeeper.connect " + why);
    }
  }
  if (std::string why = CheckZkRoot(zookeeper.root); !why.empty()) {
    return InvalidArgument(where + "zookeeper.root '" + zookeeper.root + "' " + why);
  }
  if (zookeeper.session_timeout_ms < 1000 || zookeeper.session_timeout_ms > 600000) {
    return InvalidArgument(where + "zookeeper.session.timeout.ms must be in 1000..600000");
  }
  if (zookeeper.connect_timeout_ms < 100 || zookeeper.connect_timeout_ms > 600000) {
    return InvalidArgument(where + "zookeeper.connect.timeout.ms must be in 100..600000");
  }
  for (const auto* path : {&state_root, &package_store}) {
    if (!path->empty() && (*path)[0] != '/') {
      return InvalidArgument(where + "'" + *path + "' is not an absolute path");
    }
  }
  if (scheduler == SchedulerKind::kSlurm) {
    // Slurm picks the hosts: the processes find each other through shared
    // state and load the topology from a store every host reads.
    if (state_manager != StateManagerKind::kZooKeeper) {
      return InvalidArgument(where + "scheduler: slurm needs 'state.manager: zookeeper' (the "
                                     "topology's processes on different hosts find each other "
                                     "through it); add it with zookeeper.connect");
    }
    if (package_store.empty()) {
      return InvalidArgument(where + "scheduler: slurm needs package.store: a directory every "
                                     "host of the Slurm cluster can read (a shared filesystem), "
                                     "e.g. 'package.store: /shared/gale/packages'");
    }
  }
  return Status::Ok();
}

Result<ClusterConfig> ParseClusterConfig(std::string_view text, const std::string& file) {
  ClusterConfig config;
  config.file = file;
  Parser parser{file, &config};
  GALE_RETURN_IF_ERROR(parser.Parse(text));
  GALE_RETURN_IF_ERROR(config.Validate());
  return config;
}

Result<ClusterConfig> LoadClusterConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return InvalidArgument("cannot read the cluster file '" + path +
                           "' (from --cluster or $GALE_CLUSTER): no such readable file");
  }
  std::stringstream text;
  text << in.rdbuf();
  auto config = ParseClusterConfig(text.str(), path);
  if (!config.ok() || config->zookeeper.auth.empty()) return config;
  // A secret in a file others can read is no secret.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) != 0) {
    return InvalidArgument("the cluster file '" + path +
                           "' holds zookeeper.auth but other users can read it; run 'chmod 600 " +
                           path + "'");
  }
  return config;
}

Result<ClusterConfig> ResolveClusterConfig(const std::string& flag) {
  if (!flag.empty()) return LoadClusterConfig(flag);
  const char* env = std::getenv(kEnv);
  if (env != nullptr && *env != '\0') return LoadClusterConfig(env);
  return ClusterConfig{};
}

state::StateOptions StateOptionsOf(const ClusterConfig& config,
                                   const std::string& state_dir_flag) {
  state::StateOptions o;
  o.root = !state_dir_flag.empty()      ? state_dir_flag
           : !config.state_root.empty() ? config.state_root
                                        : state::StateManager::DefaultRoot();
  if (config.state_manager == StateManagerKind::kZooKeeper) o.zookeeper = config.zookeeper;
  o.cluster_file = config.file;
  return o;
}

}  // namespace gale::cluster
