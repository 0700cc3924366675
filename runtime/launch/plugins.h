#pragma once

#include <string>

#include "common/status.h"

namespace gale::launch {

// dlopens a plugin so its components register themselves. Loading the same
// path twice is a no-op. A class name registered by two libraries is an error.
Status LoadPlugin(const std::string& path);

// Whether `path`, passed to LoadPlugin, turned out to be a library the gale
// program links itself (it was in the process already): a part of the
// installation, which a topology package names by path instead of copying.
bool IsProgramLibrary(const std::string& path);

}  // namespace gale::launch
