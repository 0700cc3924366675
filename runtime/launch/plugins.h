#pragma once

#include <string>

#include "common/status.h"

namespace gale::launch {

// dlopens a plugin so its components register themselves. Loading the same
// path twice is a no-op. A class name registered by two libraries is an error.
Status LoadPlugin(const std::string& path);

}  // namespace gale::launch
