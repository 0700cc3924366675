#pragma once

// Files built into the gale binary: the web UI (runtime/tmaster/ui/), turned
// into a C++ source at build time by cmake/EmbedFiles.cmake. Nothing is read
// from disk or fetched at run time.

#include <cstddef>
#include <string_view>

namespace gale::tmaster {

struct EmbeddedFile {
  const char* name;  // relative to runtime/tmaster/ui, e.g. "app.js"
  const char* data;
  std::size_t size;
};

// Generated (ui_files.cc in the build directory).
extern const EmbeddedFile kEmbeddedFiles[];
extern const std::size_t kEmbeddedFileCount;

// The file named `name`, or nullptr.
inline const EmbeddedFile* FindEmbeddedFile(std::string_view name) {
  for (std::size_t i = 0; i < kEmbeddedFileCount; ++i) {
    if (name == kEmbeddedFiles[i].name) return &kEmbeddedFiles[i];
  }
  return nullptr;
}

}  // namespace gale::tmaster
