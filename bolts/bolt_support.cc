#include "bolts/bolt_support.h"

#include <cmath>
#include <vector>

namespace gale::builtin {

std::string DescribeOwner(const Config& config, std::string_view class_name) {
  return config.owner().empty() ? std::string(class_name) : config.owner();
}

Fields PassThroughFields(const Config& config, std::string_view class_name) {
  std::vector<Value> list = config.GetList("fields", {Value{std::string("id")}});
  if (list.empty()) {
    throw ConfigError(DescribeOwner(config, class_name) +
                      ": property 'fields' must list at least one field name");
  }
  std::vector<std::string> names;
  names.reserve(list.size());
  for (std::size_t i = 0; i < list.size(); ++i) {
    const auto* name = std::get_if<std::string>(&list[i]);
    if (name == nullptr || name->empty()) {
      throw ConfigError(DescribeOwner(config, class_name) + ": property 'fields' element " +
                        std::to_string(i) + " is " +
                        (name == nullptr ? "a " + std::string(ValueTypeName(list[i]))
                                         : std::string("an empty string")) +
                        ", expected a field name");
    }
    names.push_back(*name);
  }
  return Fields(std::move(names));
}

double GetFraction(const Config& config, std::string_view class_name, std::string_view key) {
  double fraction = config.GetDouble(key, 0.0);
  if (!(fraction >= 0.0 && fraction <= 1.0)) {  // also rejects NaN
    throw ConfigError(DescribeOwner(config, class_name) + ": property '" + std::string(key) +
                      "' must be between 0 and 1, got " + ValueToString(Value{fraction}));
  }
  return fraction;
}

std::uint64_t TaskSeed(const Config& config, const TopologyContext& context) {
  return static_cast<std::uint64_t>(config.GetInt("seed", 42) + context.TaskIndex());
}

}  // namespace gale::builtin
