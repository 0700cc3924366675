# Sourced by the bench scripts that submit the word count themselves
# (tail_attribution.sh, latency_sweep.sh).

# bench_need SCRIPT TOOL:PACKAGE...: exits 1 naming the Debian package of the
# first tool that is not installed.
bench_need() {
  local script="$1" tool
  shift
  for tool in "$@"; do
    if ! command -v "${tool%%:*}" >/dev/null; then
      echo "$script: needs ${tool%%:*} (apt-get install ${tool#*:})" >&2
      exit 1
    fi
  done
}

# bench_paths SCRIPT DEFAULT_OUT: sets GALE and PLUGIN from BUILD_DIR (default
# build; exits 1 when they are not built) and OUT, the output directory
# (from $OUT, else DEFAULT_OUT), emptied and made absolute, since the
# spout, started elsewhere, writes there.
bench_paths() {
  local script="$1" out="${OUT:-$2}" f
  BUILD_DIR="${BUILD_DIR:-build}"
  GALE="$BUILD_DIR/bin/gale"
  PLUGIN="$BUILD_DIR/bench/libgale_bench.so"
  for f in "$GALE" "$PLUGIN"; do
    [[ -e "$f" ]] || { echo "$script: $f is missing; build first" >&2; exit 1; }
  done
  rm -rf "$out"
  mkdir -p "$out"
  OUT="$(cd "$out" && pwd)"
  readonly BUILD_DIR GALE PLUGIN OUT
}
