#include "launch/package.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "common/sha256.h"
#include "launch/plugins.h"

namespace gale::launch {
namespace {

namespace fs = std::filesystem;

constexpr char kHeader[] = "gale-package 1";

std::string Errno() { return std::strerror(errno); }

Result<std::string> ReadWhole(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound(path + ": cannot be read (" + Errno() + ")");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return IoError(path + ": read failed");
  return out.str();
}

std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string Unescape(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      out += s[i + 1] == 'n' ? '\n' : s[i + 1];
      ++i;
    } else {
      out += s[i];
    }
  }
  return out;
}

// A relative path that stays inside the package.
bool SafeRelative(const std::string& rel) {
  if (rel.empty() || rel.find('\n') != std::string::npos) return false;
  fs::path p(rel);
  if (p.is_absolute()) return false;
  for (const fs::path& part : p) {
    if (part == ".." || part == ".") return false;
  }
  return true;
}

// The deepest directory holding every one of `paths`.
fs::path CommonDirectory(const std::vector<std::string>& paths) {
  fs::path common = fs::path(paths.front()).parent_path();
  for (const std::string& p : paths) {
    fs::path dir = fs::path(p).parent_path();
    fs::path shared;
    auto a = common.begin();
    auto b = dir.begin();
    for (; a != common.end() && b != dir.end() && *a == *b; ++a, ++b) shared /= *a;
    common = shared;
  }
  return common;
}

struct Manifest {
  std::string topology;    // files/REL, or ""
  std::string registered;  // or a C++ topology's name
  std::vector<std::string> overrides;
  struct Entry {
    std::string kind;  // lib, library, file
    std::string sha256;
    std::uint64_t size = 0;
    std::string path;
  };
  std::vector<Entry> entries;
  // Every library of `kind` in manifest order, as a path under `dir` or a
  // program path.
  std::vector<std::string> Libraries(const std::string& dir, const std::string& kind) const {
    std::vector<std::string> out;
    for (const std::string& line : order) {
      if (line.rfind(kind + " ", 0) == 0) out.push_back(dir + "/" + line.substr(kind.size() + 1));
      if (line.rfind("program-" + kind + " ", 0) == 0) {
        out.push_back(line.substr(kind.size() + 9));
      }
    }
    return out;
  }
  std::vector<std::string> order;  // "lib REL", "program-lib PATH", ...
};

Result<Manifest> ParseManifest(const std::string& text, const std::string& where) {
  auto bad = [&](int line, const std::string& what) {
    return Status(ErrorCode::kInvalidArgument,
                  where + ":" + std::to_string(line) + ": " + what +
                      "; the package is damaged: submit the topology again");
  };
  Manifest m;
  std::istringstream in(text);
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1) {
      if (line != kHeader) return bad(n, "expected '" + std::string(kHeader) + "'");
      continue;
    }
    std::size_t sp = line.find(' ');
    std::string kind = line.substr(0, sp);
    std::string rest = sp == std::string::npos ? "" : line.substr(sp + 1);
    if (kind == "topology") {
      if (!SafeRelative(rest)) return bad(n, "bad path '" + rest + "'");
      m.topology = rest;
    } else if (kind == "registered") {
      m.registered = rest;
    } else if (kind == "override") {
      m.overrides.push_back(Unescape(rest));
    } else if (kind == "program-lib" || kind == "program-library") {
      if (!fs::path(rest).is_absolute()) return bad(n, "not an absolute path '" + rest + "'");
      m.order.push_back(kind + " " + rest);
    } else if (kind == "lib" || kind == "library" || kind == "file") {
      std::istringstream fields(rest);
      Manifest::Entry e;
      e.kind = kind;
      fields >> e.sha256 >> e.size;
      fields.get();  // the space before the path
      std::getline(fields, e.path);
      if (!fields.eof() && fields.fail()) return bad(n, "malformed entry");
      if (e.sha256.size() != 64 || !SafeRelative(e.path)) return bad(n, "malformed entry");
      if (kind != "file") m.order.push_back(kind + " " + e.path);
      m.entries.push_back(std::move(e));
    } else {
      return bad(n, "unknown entry '" + kind + "'");
    }
  }
  if (n == 0) return bad(1, "empty manifest");
  if (m.topology.empty() == m.registered.empty()) {
    return bad(n, "names neither a YAML topology nor a C++ one (or both)");
  }
  return m;
}

// Reads and checks the package at `dir` against `id`.
Result<Manifest> Verify(const std::string& dir, const std::string& id) {
  const std::string manifest_path = dir + "/" + kManifest;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFound("the topology package " + dir +
                    " does not exist (was the package store cleaned while the topology ran? "
                    "kill the topology and submit it again)");
  }
  Result<std::string> text = ReadWhole(manifest_path);
  if (!text.ok()) {
    return Status(ErrorCode::kInvalidArgument, "the topology package " + dir +
                                                   " is damaged: " + text.status().message() +
                                                   "; submit the topology again");
  }
  if (std::string digest = Sha256Hex(*text); digest != id) {
    return InvalidArgument("the topology package " + dir + " is damaged: " + manifest_path +
                           " has SHA-256 " + digest + ", the package id is " + id +
                           " (it was edited or truncated); submit the topology again");
  }
  Result<Manifest> m = ParseManifest(*text, manifest_path);
  if (!m.ok()) return m.status();
  for (const Manifest::Entry& e : m->entries) {
    const std::string path = dir + "/" + e.path;
    Result<std::string> content = ReadWhole(path);
    if (!content.ok()) {
      return InvalidArgument("the topology package " + dir + " is damaged: " +
                             content.status().message() + "; submit the topology again");
    }
    std::string digest = Sha256Hex(*content);
    if (content->size() != e.size || digest != e.sha256) {
      return InvalidArgument("the topology package " + dir + " is damaged: " + path + " has " +
                             std::to_string(content->size()) + " bytes and SHA-256 " + digest +
                             ", its manifest says " + std::to_string(e.size) + " bytes and " +
                             e.sha256 + " (it was edited or truncated); submit the topology again");
    }
  }
  return m;
}

// Writes `content` to a new file `path` with `mode`, synced; with
// `replace` an existing file is overwritten.
Status WriteNew(const std::string& path, const std::string& content, mode_t mode,
                bool replace = false) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (replace ? O_TRUNC : O_EXCL),
                  mode);
  if (fd < 0) return IoError("cannot create " + path + ": " + Errno());
  std::size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      Status s = IoError("cannot write " + path + ": " + (n < 0 ? Errno() : "short write"));
      ::close(fd);
      return s;
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    Status s = IoError("cannot write " + path + ": " + Errno());
    ::close(fd);
    return s;
  }
  if (::close(fd) != 0) return IoError("cannot write " + path + ": " + Errno());
  return Status::Ok();
}

Status MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
    return IoError("cannot create the directory " + path + ": " + Errno());
  }
  return Status::Ok();
}

std::string RandomSuffix() {
  std::random_device rd;
  std::ostringstream out;
  out << std::hex << rd() << rd();
  return out.str();
}

void RemoveQuietly(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

// Writes every file of `package` under `tmp` (which exists).
Status WriteFiles(const Package& package, const std::string& tmp) {
  for (const PackageFile& f : package.files) {
    fs::path target = fs::path(tmp) / f.path;
    std::string dir = tmp;
    for (const fs::path& part : fs::path(f.path).parent_path()) {
      dir += "/" + part.string();
      GALE_RETURN_IF_ERROR(MakeDir(dir));
    }
    GALE_RETURN_IF_ERROR(WriteNew(target.string(), f.content, 0600));
  }
  return WriteNew(tmp + "/" + kManifest, package.manifest, 0600);
}

// The package directory of `dir`'s references.
std::string RefsDir(const std::string& dir) { return dir + ".refs"; }

}  // namespace

Result<Package> MakePackage(const TopologySource& source, const TopologySpec& spec,
                            const std::vector<flux::SourceFile>& files_read) {
  Package package;
  std::ostringstream manifest;
  manifest << kHeader << "\n";
  std::vector<std::string> lines;
  // Libraries: one file each under lib/, by their own name when it is free.
  std::map<std::string, std::string> packaged;  // source path -> lib/NAME
  std::map<std::string, std::string> hashes;    // lib/NAME -> "SHA SIZE"
  std::set<std::string> names;
  auto add_library = [&](const std::string& path, const char* kind) -> Status {
    if (IsProgramLibrary(path)) {
      if (path.find('\n') != std::string::npos || !fs::path(path).is_absolute()) {
        return InvalidArgument("cannot package the library " + path);
      }
      lines.push_back(std::string("program-") + kind + " " + path);
      return Status::Ok();
    }
    std::error_code ec;
    std::string canonical = fs::weakly_canonical(path, ec).string();
    if (ec) canonical = path;
    auto it = packaged.find(canonical);
    if (it == packaged.end()) {
      Result<std::string> content = ReadWhole(path);
      if (!content.ok()) {
        return Status(content.status().code(),
                      "cannot read the plugin " + path + ": " + content.status().message());
      }
      std::string base = fs::path(path).filename().string();
      std::string rel = "lib/" + base;
      for (int i = 1; names.count(rel) > 0; ++i) rel = "lib/" + std::to_string(i) + "-" + base;
      if (!SafeRelative(rel)) return InvalidArgument("cannot package the plugin " + path);
      names.insert(rel);
      hashes[rel] = Sha256Hex(*content) + " " + std::to_string(content->size());
      package.files.push_back({rel, std::move(content).value()});
      it = packaged.emplace(canonical, rel).first;
    }
    lines.push_back(std::string(kind) + " " + hashes[it->second] + " " + it->second);
    return Status::Ok();
  };
  for (const std::string& lib : source.libs) GALE_RETURN_IF_ERROR(add_library(lib, "lib"));
  for (const std::string& lib : spec.libraries) GALE_RETURN_IF_ERROR(add_library(lib, "library"));

  if (!source.topology.empty()) {
    if (source.topology.find('\n') != std::string::npos) {
      return InvalidArgument("the topology name '" + source.topology + "' holds a line break");
    }
    manifest << "registered " << source.topology << "\n";
  } else {
    if (files_read.empty()) return InvalidArgument("no topology file was read");
    std::vector<std::string> paths;
    for (const flux::SourceFile& f : files_read) paths.push_back(f.path);
    fs::path common = CommonDirectory(paths);
    std::set<std::string> written;
    for (std::size_t i = 0; i < files_read.size(); ++i) {
      std::string rel =
          "files/" + fs::path(files_read[i].path).lexically_relative(common).string();
      if (!SafeRelative(rel) || !fs::path(files_read[i].path).is_absolute()) {
        return InvalidArgument("cannot package the topology file " + files_read[i].path);
      }
      if (i == 0) manifest << "topology " << rel << "\n";
      if (!written.insert(rel).second) continue;  // included twice
      lines.push_back("file " + Sha256Hex(files_read[i].text) + " " +
                      std::to_string(files_read[i].text.size()) + " " + rel);
      package.files.push_back({rel, files_read[i].text});
    }
  }
  for (const std::string& o : source.overrides) manifest << "override " << Escape(o) << "\n";
  for (const std::string& l : lines) manifest << l << "\n";
  package.manifest = manifest.str();
  package.id = Sha256Hex(package.manifest);
  return package;
}

std::string PackageRefName(const std::string& state_root, const std::string& name) {
  return Sha256Hex(state_root + "\n" + name).substr(0, 32);
}

Result<std::string> StorePackage(const Package& package, const std::string& store,
                                  const std::string& ref) {
  const std::string hint =
      " (the package store " + store +
      " must be a directory this user can write, with room for the topology's files and "
      "plugins)";
  std::error_code ec;
  if (!fs::exists(store, ec)) {
    // Missing directories on the way are made owner-only too.
    std::string path;
    for (const fs::path& part : fs::path(store)) {
      path = (fs::path(path) / part).string();
      if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        return IoError("cannot create the package store " + store + ": " + path + ": " +
                       Errno() + hint);
      }
    }
  } else if (!fs::is_directory(store, ec)) {
    return IoError("the package store " + store + " is not a directory" + hint);
  }
  const std::string dir = store + "/" + package.id;
  const std::string refs = RefsDir(dir);
  const bool refs_existed = fs::exists(refs, ec);
  if (Status s = MakeDir(refs); !s.ok()) return IoError(s.message() + hint);
  const std::string ref_path = refs + "/" + ref;
  // The reference: a file named after the topology.
  if (Status s = WriteNew(ref_path, ref + "\n", 0600, /*replace=*/true); !s.ok()) {
    ::unlink(ref_path.c_str());
    if (!refs_existed) ::rmdir(refs.c_str());
    return IoError(s.message() + hint);
  }
  auto fail = [&](const Status& s) -> Status {
    ::unlink(ref_path.c_str());
    if (!refs_existed) ::rmdir(refs.c_str());
    return IoError(s.message() + hint);
  };
  if (fs::exists(dir, ec)) {
    if (Verify(dir, package.id).ok()) return dir;  // the same content: reused
    // Damaged: replaced by a fresh copy below.
    std::string trash = store + "/.removing-" + package.id + "-" + RandomSuffix();
    if (::rename(dir.c_str(), trash.c_str()) != 0) {
      return fail(IoError("cannot replace the damaged package " + dir + ": " + Errno()));
    }
    RemoveQuietly(trash);
  }
  std::string tmp = store + "/.tmp-" + package.id + "-" + RandomSuffix();
  if (::mkdir(tmp.c_str(), 0700) != 0) {
    return fail(IoError("cannot create " + tmp + ": " + Errno()));
  }
  if (Status s = WriteFiles(package, tmp); !s.ok()) {
    RemoveQuietly(tmp);
    return fail(s);
  }
  if (::rename(tmp.c_str(), dir.c_str()) != 0) {
    int err = errno;
    RemoveQuietly(tmp);
    // Another submit of the same content got there first.
    if ((err == EEXIST || err == ENOTEMPTY) && Verify(dir, package.id).ok()) return dir;
    errno = err;
    return fail(IoError("cannot rename " + tmp + " to " + dir + ": " + Errno()));
  }
  return dir;
}

Status ReleasePackage(const std::string& dir, const std::string& ref) {
  const std::string refs = RefsDir(dir);
  if (::unlink((refs + "/" + ref).c_str()) != 0 && errno != ENOENT) {
    return IoError("cannot remove the reference " + refs + "/" + ref + ": " + Errno());
  }
  // The last reference gone: the package goes (rmdir fails while another
  // topology holds one).
  if (::rmdir(refs.c_str()) != 0 && errno != ENOENT) return Status::Ok();
  std::string trash = fs::path(dir).parent_path().string() + "/.removing-" +
                      fs::path(dir).filename().string() + "-" + RandomSuffix();
  if (::rename(dir.c_str(), trash.c_str()) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot remove the topology package " + dir + ": " + Errno());
  }
  std::error_code ec;
  fs::remove_all(trash, ec);
  if (ec) return IoError("cannot remove " + trash + ": " + ec.message());
  return Status::Ok();
}

Result<LoadedTopology> LoadPackagedTopology(const std::string& dir, const std::string& id) {
  Result<Manifest> m = Verify(dir, id);
  if (!m.ok()) return m.status();
  TopologySource source;
  source.libs = m->Libraries(dir, "lib");
  std::vector<std::string> libraries = m->Libraries(dir, "library");
  source.topology = m->registered;
  if (!m->topology.empty()) source.file = dir + "/" + m->topology;
  source.overrides = m->overrides;
  return LoadTopologyFrom(source, /*substitute=*/false, &libraries, nullptr);
}

}  // namespace gale::launch
