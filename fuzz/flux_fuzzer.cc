// Arbitrary text as a Flux YAML topology (flux/loader.h), then validated
// against the built-in components (topology/validate.h), as `gale local`,
// `gale submit` and `gale validate` read one. Loading and validation must
// refuse what is wrong with a message and never crash, throw, hang or
// blow up memory (billion laughs, endless aliases, include bombs).
//
// The first byte picks options: bit 0 --env-filter (GALE_FUZZ_NAME is set),
// bit 1 --filter flux_includes/filter.properties, bit 2 the first line is a
// `-c key=value` override. The file is read as if it lay in flux_includes/,
// so it may include the files there.

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "bolts/builtins.h"
#include "check.h"
#include "flux/loader.h"
#include "gale/registry.h"
#include "spouts/builtins.h"
#include "topology/validate.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  gale_link_builtin_spouts();
  gale_link_builtin_bolts();
  setenv("GALE_FUZZ_NAME", "fuzzed", 1);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gale;
  if (size == 0) return 0;
  const std::string dir = GALE_FUZZ_FLUX_DIR;
  const std::uint8_t flags = data[0];
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  flux::LoadOptions options;
  options.env_filter = (flags & 1) != 0;
  if ((flags & 2) != 0) options.filter_files.push_back(dir + "/filter.properties");
  if ((flags & 4) != 0) {
    std::size_t eol = text.find('\n');
    options.overrides.push_back(text.substr(0, eol));
    text.erase(0, eol == std::string::npos ? text.size() : eol + 1);
  }
  Result<TopologySpec> spec = flux::LoadTopologyString(text, dir + "/fuzzed.yaml", options);
  if (!spec.ok()) {
    FUZZ_CHECK(!spec.status().message().empty(), "a refusal says why");
    FUZZ_CHECK(flux::ReaderBugCount() == 0, "a YAML node threw while the file was read");
    return 0;
  }
  Status valid = topology::ValidateTopology(*spec, Registry::Global());
  FUZZ_CHECK(valid.ok() || !valid.message().empty(), "a refusal says why");
  return 0;
}
