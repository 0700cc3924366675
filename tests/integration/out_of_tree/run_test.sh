#!/usr/bin/env bash
# Out-of-tree plugin test. Installs a built gale into a temporary prefix,
# builds project/ (a user's plugin project: find_package(Gale) +
# gale_add_plugin) against that prefix, then runs project/topology.yaml with
# the installed gale program and checks what its FileSinkBolt wrote.
#
# usage: run_test.sh GALE_BUILD_DIR GALE_SOURCE_DIR [CMAKE] [CXX_COMPILER]
#   CMAKE         the cmake program to use (default: cmake from PATH)
#   CXX_COMPILER  compiler for the plugin project (default: CMake's choice)
#
# Prints "1 passed, 0 failed" and exits 0 on success; otherwise names the
# failed step, shows its output and exits 1. The temporary directory is
# removed either way.

set -euo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 GALE_BUILD_DIR GALE_SOURCE_DIR [CMAKE] [CXX_COMPILER]" >&2
  exit 2
fi
if [[ ! -f $1/CMakeCache.txt || ! -d $2/tests/integration/out_of_tree/project ]]; then
  echo "FAIL out_of_tree_plugin: '$1' is not a configured gale build directory" \
       "or '$2' is not the gale source directory" >&2
  echo "0 passed, 1 failed"
  exit 1
fi
build_dir=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
cmake=${3:-cmake}
cxx=${4:-}
project_dir=$source_dir/tests/integration/out_of_tree/project
count=120                  # numbers emitted by the topology's SequenceSpout
run_timeout_secs=120       # deadline for one gale run

tmp=$(mktemp -d "${TMPDIR:-/tmp}/gale-out-of-tree.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
proj_build=$tmp/proj-build
log=$tmp/step.log

fail() {
  echo "FAIL out_of_tree_plugin: $*" >&2
  if [[ -s $log ]]; then
    echo "--- output of the failed step (last 40 lines) ---" >&2
    tail -n 40 "$log" >&2
    echo "---" >&2
  fi
  echo "0 passed, 1 failed"
  exit 1
}

# Runs a command with its output in $log; fails the test with $1 if it fails.
step() {
  local what=$1
  shift
  "$@" >"$log" 2>&1 || fail "$what (exit code $?): $*"
}

# 1. Install into the temporary prefix.
step "cmake --install failed" "$cmake" --install "$build_dir" --prefix "$prefix"

libdir=$(sed -n 's/^CMAKE_INSTALL_LIBDIR:[A-Z]*=//p' "$build_dir/CMakeCache.txt")
libdir=${libdir:-lib}
: >"$log"
for f in include/gale/gale.h include/gale/registry.h include/gale/internal/tuple_access.h \
         "$libdir/libgale_api.so" "$libdir/libgale_spouts.so" "$libdir/libgale_bolts.so" \
         "$libdir/cmake/Gale/GaleConfig.cmake" "$libdir/cmake/Gale/GaleConfigVersion.cmake" \
         "$libdir/cmake/Gale/GaleTargets.cmake" bin/gale; do
  [[ -e $prefix/$f ]] || fail "the install tree lacks $f"
done
[[ -L $prefix/$libdir/libgale_api.so ]] ||
  fail "$libdir/libgale_api.so is not a symlink to the versioned library"
# The versioned library the symlink resolves to, e.g. libgale_api.so.0.1.0.
real_api=$(readlink -f "$prefix/$libdir/libgale_api.so")
[[ $(basename "$real_api") == libgale_api.so.*.*.* ]] ||
  fail "libgale_api.so resolves to $(basename "$real_api"), not a versioned file name"

# 2. The installed program runs from the install tree, with its own libraries.
gale=$prefix/bin/gale
step "the installed gale does not start" env -u LD_LIBRARY_PATH "$gale" version
step "ldd on the installed gale failed" env -u LD_LIBRARY_PATH ldd "$gale"
installed_libdir=$(readlink -f "$prefix/$libdir")
for lib in libgale_api libgale_spouts libgale_bolts; do
  # ldd prints "libgale_api.so.0 => /path/libgale_api.so.0 (0x...)".
  path=$(sed -n "s/^[[:space:]]*$lib\.so[.0-9]* => \(.*\) (0x.*/\1/p" "$log")
  [[ -n $path && $(dirname "$(readlink -f "$path")") == "$installed_libdir" ]] ||
    fail "the installed gale loads $lib from '${path:-nowhere}', not from $prefix/$libdir"
done

# 3. Configure and build the plugin project against the installed package.
cxx_args=()
[[ -n $cxx ]] && cxx_args=("-DCMAKE_CXX_COMPILER=$cxx")
step "configuring the plugin project failed" \
  "$cmake" -S "$project_dir" -B "$proj_build" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF "${cxx_args[@]}"
grep -qF -- "GALE_EXECUTABLE=$gale" "$log" ||
  fail "GALE_EXECUTABLE is not $gale: $(grep GALE_EXECUTABLE "$log" || echo unset)"
gale_dir=$(sed -n 's/^Gale_DIR:[A-Z]*=//p' "$proj_build/CMakeCache.txt")
[[ $gale_dir == "$prefix/$libdir/cmake/Gale" ]] ||
  fail "find_package(Gale) used $gale_dir instead of the fresh install"
step "building the plugin project failed" "$cmake" --build "$proj_build"
plugin=$proj_build/libwordcase.so
[[ -f $plugin ]] || fail "gale_add_plugin(wordcase ...) did not produce $plugin: $(ls "$proj_build")"

# 4. Without the plugin the topology is invalid: exit code 2, naming the class.
sink=$tmp/sink.tsv
export GALE_OOT_SINK=$sink GALE_OOT_COUNT=$count
cd "$project_dir"
set +e
env -u LD_LIBRARY_PATH "$gale" validate topology.yaml --env-filter >"$log" 2>&1
rc=$?
set -e
[[ $rc -eq 2 ]] || fail "'gale validate' without --lib exited with $rc, expected 2"
grep -q "SpellNumberBolt" "$log" && grep -q "not registered" "$log" ||
  fail "'gale validate' without --lib does not say that SpellNumberBolt is not registered"

# 5. With the plugin it is valid, and runs to completion.
step "'gale validate --lib' rejected the topology" \
  env -u LD_LIBRARY_PATH "$gale" validate topology.yaml --env-filter --lib "$plugin"
step "'gale local' failed" env -u LD_LIBRARY_PATH timeout "$run_timeout_secs" \
  "$gale" local topology.yaml --env-filter --lib "$plugin" --quiet
[[ -f $sink ]] || fail "'gale local' succeeded but the sink wrote no file $sink"

# 6. The sink holds one "id<TAB>SPELLED-ID" line per number, in any order.
digits=(ZERO ONE TWO THREE FOUR FIVE SIX SEVEN EIGHT NINE)
expected=$tmp/expected.tsv
for ((i = 1; i <= count; i++)); do
  word=""
  for ((k = 0; k < ${#i}; k++)); do
    word+="${word:+-}${digits[${i:k:1}]}"
  done
  printf '%d\t%s\n' "$i" "$word"
done | sort >"$expected"
sort "$sink" >"$tmp/actual.tsv"
if ! diff "$expected" "$tmp/actual.tsv" >"$log" 2>&1; then
  fail "the sink output differs from the expected $count lines (< expected, > actual)"
fi

echo "1 passed, 0 failed"
