#!/usr/bin/env bash
# Builds the libFuzzer variant (clang, ASan + UBSan, build-fuzz/) and runs every fuzz target for a
# bounded time on a copy of its committed corpus (fuzz/corpus/<target>/ is never modified), with its
# dictionary (fuzz/dict/<target>.dict). Any crash, leak, sanitizer report or broken invariant fails.
#   scripts/fuzz.sh                 every target, FUZZ_SECONDS (default 60) each
#   scripts/fuzz.sh note http       only these
# FUZZ_SECONDS=300 for a longer run; FUZZ_KEEP=DIR keeps each run's corpus and log in DIR/<target>/.
# Crash inputs are written to $FUZZ_ARTIFACTS (default build-fuzz/artifacts/); to reproduce one:
#   build-fuzz/bin/fuzz_<target> build-fuzz/artifacts/crash-…
set -euo pipefail
cd "$(dirname "$0")/.."
targets=(canonical_json submission bodies note rules bundle state_file state_binary read_auth stream_params http)
[ $# -gt 0 ] && targets=("$@")
seconds=${FUZZ_SECONDS:-60}
dir=${FUZZ_BUILD_DIR:-build-fuzz}
artifacts=${FUZZ_ARTIFACTS:-$dir/artifacts}

CC=clang CXX=clang++ BUILD_DIR="$dir" BUILD_TYPE=RelWithDebInfo EXTRA_CMAKE_ARGS="-DPILOTLEDGER_FUZZ=ON" \
  scripts/build.sh --target "${targets[@]/#/fuzz_}"

mkdir -p "$artifacts"
work=$(mktemp -d /tmp/pilot-fuzz-run.XXXXXX)
trap 'rm -rf "$work"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
for t in "${targets[@]}"; do
  corpus="$work/$t/corpus"
  mkdir -p "$corpus"
  cp fuzz/corpus/"$t"/* "$corpus"/
  dict=()
  [ -f fuzz/dict/"$t".dict ] && dict=(-dict=fuzz/dict/"$t".dict)
  echo "== fuzz_$t: ${seconds} s on $(ls "$corpus" | wc -l) seeds" >&2
  if "$dir"/bin/fuzz_"$t" "$corpus" "${dict[@]}" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$artifacts/$t-" >"$work/$t/log" 2>&1; then
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' "$work/$t/log" >&2 || true
  else
    failed+=("$t")
    tail -n 60 "$work/$t/log" >&2
  fi
  if [ -n "${FUZZ_KEEP:-}" ]; then
    mkdir -p "$FUZZ_KEEP/$t"
    cp -r "$corpus" "$work/$t/log" "$FUZZ_KEEP/$t/"
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing FAILED: ${failed[*]} (inputs in $artifacts/)" >&2
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, ${seconds} s each, no crash" >&2
