// Topology packages (launch/package.h): what `gale submit` writes loads back
// to the same topology without the user's files, a damaged package is
// refused naming the file, the same content is stored once and removed
// with its last reference, and a store that cannot be written leaves
// nothing behind.

#include "launch/package.h"

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "common/sha256.h"
#include "gale/gale.h"
#include "support/run_command.h"

namespace gale::launch {
namespace {

namespace fs = std::filesystem;
using testing::ReadFile;
using testing::ScratchDir;

// A plugin that registers nothing: the user's and the package's copies
// both load in this one process without a conflict.
const std::string kPlugin = GALE_PACKAGE_TEST_PLUGIN;

class PackagedSpout : public Spout {
 public:
  void NextTuple() override {}
  void DeclareOutputFields(OutputFieldsDeclarer& d) const override { d.Declare(Fields{"id"}); }
};
GALE_REGISTER_SPOUT(PackagedSpout);

class PackagedBolt : public Bolt {
 public:
  void Execute(const Tuple&) override {}
  void DeclareOutputFields(OutputFieldsDeclarer&) const override {}
};
GALE_REGISTER_BOLT(PackagedBolt);

std::string Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char text[8];
  std::snprintf(text, sizeof text, "%o", st.st_mode & 0777);
  return text;
}

// A user's topology: a main file with an include, a --filter value, an
// ${ENV-...} value and a plugin named by a relative `libraries:` entry.
struct UserTopology {
  explicit UserTopology(const ScratchDir& dir) {
    fs::create_directories(dir.Join("topo/shared"));
    fs::create_directories(dir.Join("topo/plugins"));
    fs::copy_file(kPlugin, dir.Join("topo/plugins/libuser.so"));
    dir.Write("topo/shared/common.yaml", "config:\n  topology.message.timeout.secs: 17\n");
    dir.Write("topo/values.properties", "count=12\n");
    source.file = dir.Write("topo/main.yaml", R"(name: packaged
includes:
  - {file: shared/common.yaml}
libraries: [plugins/libuser.so]
config:
  topology.workers: 2
  note: "${ENV-GALE_PACKAGE_TEST_NOTE}"
spouts:
  - id: ids
    className: PackagedSpout
    parallelism: 2
    properties:
      - {name: count, value: ${count}}
      - {name: out, value: "/nonexistent/spout.tsv"}
bolts:
  - {id: relay, className: PackagedBolt, parallelism: 3}
streams:
  - {from: ids, to: relay, grouping: {type: FIELDS, args: [id]}}
)");
    source.filters = {dir.Join("topo/values.properties")};
    source.env_filter = true;
    source.overrides = {"topology.max.spout.pending=7", "extra=[1, \"2\"]"};
  }
  TopologySource source;
};

struct Stored {
  Package package;
  std::string dir;
  TopologySpec spec;
};

Stored Store(const TopologySource& source, const std::string& store, const std::string& ref) {
  std::vector<flux::SourceFile> files;
  auto loaded = LoadTopology(source, &files);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  if (!loaded.ok()) return {};
  auto package = MakePackage(source, loaded->spec, files);
  EXPECT_TRUE(package.ok()) << package.status().message();
  if (!package.ok()) return {};
  auto dir = StorePackage(*package, store, ref);
  EXPECT_TRUE(dir.ok()) << dir.status().message();
  return {*package, dir.value_or(""), loaded->spec};
}

TEST(TopologyPackage, LoadsTheSubmittedTopologyAfterTheUsersFilesChangeOrGo) {
  ::setenv("GALE_PACKAGE_TEST_NOTE", "from the environment ${not-a-filter}", 1);
  ScratchDir dir;
  UserTopology user(dir);
  Stored stored = Store(user.source, dir.Join("store"), "ref-1");
  ASSERT_FALSE(stored.dir.empty());
  EXPECT_EQ(stored.dir, dir.Join("store") + "/" + stored.package.id);
  EXPECT_EQ(Sha256Hex(ReadFile(stored.dir + "/MANIFEST")), stored.package.id);

  // The user edits their YAML and filter, breaks their plugin, drops the
  // include and changes the environment.
  dir.Write("topo/main.yaml", "name: other\nspouts: []\n");
  dir.Write("topo/values.properties", "count=99\n");
  // (a new file: this process still maps the old one, whose truncation
  // in place would fault it)
  fs::remove(dir.Join("topo/plugins/libuser.so"));
  dir.Write("topo/plugins/libuser.so", "not a library");
  fs::remove(dir.Join("topo/shared/common.yaml"));
  ::setenv("GALE_PACKAGE_TEST_NOTE", "changed", 1);

  auto loaded = LoadPackagedTopology(stored.dir, stored.package.id);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const TopologySpec& a = stored.spec;
  const TopologySpec& b = loaded->spec;
  EXPECT_EQ(b.name, "packaged");
  EXPECT_EQ(b.config.entries(), a.config.entries());
  EXPECT_EQ(b.config.GetString("note"), "from the environment ${not-a-filter}");
  EXPECT_EQ(b.config.GetInt("topology.message.timeout.secs"), 17);
  EXPECT_EQ(b.config.GetInt("topology.max.spout.pending"), 7);
  ASSERT_EQ(b.spouts.size(), 1u);
  ASSERT_EQ(b.bolts.size(), 1u);
  for (auto [x, y] : {std::pair{&a.spouts[0], &b.spouts[0]}, std::pair{&a.bolts[0], &b.bolts[0]}}) {
    EXPECT_EQ(y->id, x->id);
    EXPECT_EQ(y->class_name, x->class_name);
    EXPECT_EQ(y->parallelism, x->parallelism);
    EXPECT_EQ(y->properties.entries(), x->properties.entries());
    EXPECT_EQ(y->config.entries(), x->config.entries());
  }
  EXPECT_EQ(b.spouts[0].properties.GetInt("count"), 12);
  ASSERT_EQ(b.streams.size(), 1u);
  EXPECT_EQ(b.streams[0].grouping.type, GroupingType::kFields);
  EXPECT_EQ(b.streams[0].grouping.fields, std::vector<std::string>{"id"});
  // The plugin is the package's copy, loaded by its full path there.
  EXPECT_EQ(b.libraries, std::vector<std::string>{stored.dir + "/lib/libuser.so"});
  EXPECT_EQ(loaded->plan->workers(), 2);

  // Owner only.
  EXPECT_EQ(Mode(dir.Join("store")), "700");
  EXPECT_EQ(Mode(stored.dir), "700");
  EXPECT_EQ(Mode(stored.dir + "/lib"), "700");
  EXPECT_EQ(Mode(stored.dir + "/MANIFEST"), "600");
  EXPECT_EQ(Mode(stored.dir + "/lib/libuser.so"), "600");
  EXPECT_EQ(Mode(stored.dir + "/files/main.yaml"), "600");
  EXPECT_EQ(Mode(stored.dir + "/files/shared/common.yaml"), "600");
}

TEST(TopologyPackage, ADamagedPackageIsRefusedNamingTheFile) {
  ::setenv("GALE_PACKAGE_TEST_NOTE", "x", 1);
  ScratchDir dir;
  UserTopology user(dir);
  Stored stored = Store(user.source, dir.Join("store"), "ref-1");
  ASSERT_FALSE(stored.dir.empty());
  ASSERT_TRUE(LoadPackagedTopology(stored.dir, stored.package.id).ok());

  auto refused = [&](const std::string& file) {
    auto loaded = LoadPackagedTopology(stored.dir, stored.package.id);
    EXPECT_FALSE(loaded.ok()) << file;
    if (loaded.ok()) return;
    EXPECT_NE(loaded.status().message().find(stored.dir + "/" + file), std::string::npos)
        << loaded.status().message();
    EXPECT_NE(loaded.status().message().find("damaged"), std::string::npos)
        << loaded.status().message();
  };
  // A truncated plugin (written as a new file: this process maps the old
  // one, which truncation in place would fault).
  const std::string lib = stored.dir + "/lib/libuser.so";
  std::string bytes = ReadFile(lib);
  fs::remove(lib);
  std::ofstream(lib, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  refused("lib/libuser.so");
  fs::remove(lib);
  std::ofstream(lib, std::ios::binary) << bytes;
  ASSERT_TRUE(LoadPackagedTopology(stored.dir, stored.package.id).ok());
  // An edited YAML of the same size.
  const std::string yaml = stored.dir + "/files/main.yaml";
  std::string text = ReadFile(yaml);
  std::string edited = text;
  edited.replace(edited.find("parallelism: 3"), 14, "parallelism: 4");
  std::ofstream(yaml, std::ios::trunc) << edited;
  refused("files/main.yaml");
  std::ofstream(yaml, std::ios::trunc) << text;
  // A manifest that no longer matches the id.
  const std::string manifest = stored.dir + "/MANIFEST";
  std::string m = ReadFile(manifest);
  std::ofstream(manifest, std::ios::trunc) << m << "override topology.workers=1\n";
  refused("MANIFEST");
  std::ofstream(manifest, std::ios::trunc) << m;
  // A lost file.
  fs::remove(stored.dir + "/files/shared/common.yaml");
  refused("files/shared/common.yaml");
  // A lost package.
  fs::remove_all(stored.dir);
  auto gone = LoadPackagedTopology(stored.dir, stored.package.id);
  ASSERT_FALSE(gone.ok());
  EXPECT_NE(gone.status().message().find(stored.dir + " does not exist"), std::string::npos)
      << gone.status().message();
}

TEST(TopologyPackage, TheSameContentIsStoredOnceAndGoesWithItsLastReference) {
  ::setenv("GALE_PACKAGE_TEST_NOTE", "x", 1);
  ScratchDir dir;
  UserTopology user(dir);
  const std::string store = dir.Join("store");
  Stored first = Store(user.source, store, "ref-a");
  ASSERT_FALSE(first.dir.empty());
  struct stat before;
  ASSERT_EQ(::stat((first.dir + "/lib/libuser.so").c_str(), &before), 0);
  Stored second = Store(user.source, store, "ref-b");
  EXPECT_EQ(second.package.id, first.package.id);
  EXPECT_EQ(second.dir, first.dir);
  struct stat after;
  ASSERT_EQ(::stat((first.dir + "/lib/libuser.so").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the package was rewritten";
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(store)) ++entries;
  EXPECT_EQ(entries, 2u);  // the package and its references

  // Another override is another package.
  TopologySource other = user.source;
  other.overrides.push_back("topology.workers=1");
  Stored third = Store(other, store, "ref-c");
  EXPECT_NE(third.package.id, first.package.id);

  ASSERT_TRUE(ReleasePackage(first.dir, "ref-a").ok());
  EXPECT_TRUE(LoadPackagedTopology(first.dir, first.package.id).ok());
  ASSERT_TRUE(ReleasePackage(first.dir, "ref-b").ok());
  EXPECT_FALSE(fs::exists(first.dir));
  EXPECT_FALSE(fs::exists(first.dir + ".refs"));
  EXPECT_TRUE(fs::exists(third.dir));
  ASSERT_TRUE(ReleasePackage(third.dir, "ref-c").ok());
  EXPECT_TRUE(fs::is_empty(store));
}

TEST(TopologyPackage, SameNamedPluginsOfTwoPackagesLoadByTheirOwnPaths) {
  ::setenv("GALE_PACKAGE_TEST_NOTE", "x", 1);
  ScratchDir one;
  ScratchDir two;
  UserTopology first(one);
  UserTopology second(two);
  // The same file name, other bytes (an ELF file ignores trailing data).
  std::ofstream(two.Join("topo/plugins/libuser.so"), std::ios::binary | std::ios::app) << "v2";
  const std::string store = one.Join("store");
  Stored a = Store(first.source, store, "ref-a");
  Stored b = Store(second.source, store, "ref-b");
  ASSERT_FALSE(a.dir.empty());
  ASSERT_FALSE(b.dir.empty());
  EXPECT_NE(a.package.id, b.package.id);
  auto loaded_a = LoadPackagedTopology(a.dir, a.package.id);
  auto loaded_b = LoadPackagedTopology(b.dir, b.package.id);
  ASSERT_TRUE(loaded_a.ok()) << loaded_a.status().message();
  ASSERT_TRUE(loaded_b.ok()) << loaded_b.status().message();
  const std::string maps = ReadFile("/proc/self/maps");
  EXPECT_NE(maps.find(a.dir + "/lib/libuser.so"), std::string::npos);
  EXPECT_NE(maps.find(b.dir + "/lib/libuser.so"), std::string::npos);
}

TEST(TopologyPackage, AStoreThatCannotBeWrittenLeavesNothingBehind) {
  ::setenv("GALE_PACKAGE_TEST_NOTE", "x", 1);
  ScratchDir dir;
  UserTopology user(dir);
  std::vector<flux::SourceFile> files;
  auto loaded = LoadTopology(user.source, &files);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  auto package = MakePackage(user.source, loaded->spec, files);
  ASSERT_TRUE(package.ok()) << package.status().message();

  const std::string file = dir.Write("not-a-dir", "x");
  auto stored = StorePackage(*package, file, "ref");
  ASSERT_FALSE(stored.ok());
  EXPECT_NE(stored.status().message().find("the package store " + file + " is not a directory"),
            std::string::npos)
      << stored.status().message();
  auto below = StorePackage(*package, file + "/store", "ref");
  ASSERT_FALSE(below.ok());
  EXPECT_NE(below.status().message().find(file + "/store"), std::string::npos)
      << below.status().message();
  EXPECT_EQ(ReadFile(file), "x");
}

}  // namespace
}  // namespace gale::launch
