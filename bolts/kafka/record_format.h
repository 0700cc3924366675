#pragma once

// Turning tuple values into Kafka record keys and values. Pure functions.

#include <optional>
#include <string>

#include "gale/gale.h"

namespace gale::kafka {

// Text of one value: a string as it is, an int in decimal, a double in its
// shortest round-trip form, a bool as true/false, bytes unchanged. nullopt
// for null (a Kafka null key or value).
std::optional<std::string> RenderText(const Value& value);

// One value as JSON: strings escaped, numbers, true/false, null; bytes as a
// string of hex digits; NaN and infinities as null.
void AppendJson(std::string& out, const Value& value);
std::string RenderJson(const Value& value);

// {"field": value, ...} in field order.
std::string RenderTupleJson(const Tuple& tuple);

}  // namespace gale::kafka
