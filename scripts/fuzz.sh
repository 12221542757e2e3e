#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (build-fuzz/, ASan + UBSan) and runs each
# for a while (docs/fuzzing.md):
#
#   scripts/fuzz.sh                      # every target, 60 s each
#   scripts/fuzz.sh 600 fuzz_config      # one target, 10 minutes
#   MM_FUZZ_BUILD_DIR=/tmp/f scripts/fuzz.sh 20
#
# For each target, first every input saved under tests/fuzz/regressions/<target>/ is replayed
# (crashes found earlier, now fixed), then the fuzzer runs on its seeds (tests/fuzz/corpus/<target>/,
# read only) plus the inputs it found in earlier runs (build-fuzz/corpus/<target>/, where new
# ones are written: the repository is never written to). A crash, a broken invariant, a leak or a
# timeout stops that target and leaves the input in build-fuzz/artifacts/<target>/; the script
# goes on with the other targets and exits 1 at the end if any failed.
#
#   MM_FUZZ_JOBS   targets fuzzed at once, one core each (default: the number of cores)
#   MM_FUZZ_OPT    optimisation of the build (default -O1, as libFuzzer advises; -O0 halves the
#                  cold build but runs 5 to 20 times fewer inputs per second)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh" # MM_VENV: the configure step finds Arrow through it

seconds="${1:-60}"
shift || true
[[ "$seconds" =~ ^[0-9]+$ ]] || {
  echo "usage: $0 [seconds-per-target] [target...]" >&2
  exit 2
}
jobs="${MM_FUZZ_JOBS:-$(nproc)}"
opt="${MM_FUZZ_OPT:--O1}"
all_targets=(fuzz_mlflow_json fuzz_feedback_documents fuzz_llm_output fuzz_config fuzz_http)
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")

# Longest input each target is given: well above the seeds' sizes; longer inputs mostly cost
# executions per second.
max_len_of() {
  case "$1" in
    fuzz_config | fuzz_http) echo 4096 ;;
    *) echo 16384 ;;
  esac
}

BUILD="${MM_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
launcher=()
command -v ccache >/dev/null 2>&1 && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
# A Debug build keeps assert() on; line tables are enough for the sanitizers' stack traces.
# MM_WERROR off: clang warns about things g++ (the CI compiler) does not.
# CCACHE_BASEDIR: objects are cached under paths relative to the checkout, so another clone (a CI
# run) reuses them.
export CCACHE_BASEDIR="$ROOT"
CC=clang CXX=clang++ cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_CXX_FLAGS_DEBUG="$opt -gline-tables-only" -DMM_FUZZ=ON -DMM_BUILD_TESTS=OFF \
  -DMM_WERROR=OFF "${launcher[@]}" >/dev/null
# clang's warnings (e.g. -Walign-mismatch on libbson's aligned bson_t) go to the log, not the CI
# output: the g++ build with MM_WERROR is the one that polices warnings.
mkdir -p "$BUILD/logs"
if ! cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" >"$BUILD/logs/build.log" 2>&1; then
  grep -E 'error|FAILED' "$BUILD/logs/build.log" | head -n 40 >&2
  echo "[fuzz] build failed (log: $BUILD/logs/build.log)" >&2
  exit 1
fi

# Leaks count as failures; UBSan stops at the first report (-fno-sanitize-recover) with a stack.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# One target: regressions, then fuzzing. Prints one summary line; returns 1 on any failure.
fuzz_one() {
  local t="$1"
  local bin="$BUILD/tests/fuzz/$t" seeds="$ROOT/tests/fuzz/corpus/$t" corpus="$BUILD/corpus/$t"
  local artifacts="$BUILD/artifacts/$t" log="$BUILD/logs/$t.log"
  mkdir -p "$corpus" "$artifacts"

  local regressions=()
  if [[ -d "$ROOT/tests/fuzz/regressions/$t" ]]; then
    while IFS= read -r -d '' f; do regressions+=("$f"); done \
      < <(find "$ROOT/tests/fuzz/regressions/$t" -type f -print0 | sort -z)
  fi
  if [[ ${#regressions[@]} -gt 0 ]] &&
    ! "$bin" -artifact_prefix="$artifacts/" "${regressions[@]}" >"$log.regressions" 2>&1; then
    {
      echo "[fuzz] $t: FAILED: a regression input fails again (log: $log.regressions)"
      grep -aE 'ERROR: |invariant broken|runtime error|SUMMARY' "$log.regressions" | head -n 5
    } >&2
    return 1
  fi

  local dict=()
  [[ -f "$ROOT/tests/fuzz/$t.dict" ]] && dict=(-dict="$ROOT/tests/fuzz/$t.dict")
  local start=$SECONDS
  if "$bin" -max_total_time="$seconds" -max_len="$(max_len_of "$t")" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" \
    "$corpus" "$seeds" >"$log" 2>&1; then
    local stats
    stats="$(grep -aE '^#[0-9]+\s+DONE' "$log" | tail -n 1 || true)"
    echo "[fuzz] $t: ok in $((SECONDS - start)) s, ${#regressions[@]} regression input(s) replayed;" \
      "${stats:-see $log}"
  else
    {
      echo "[fuzz] $t: FAILED after $((SECONDS - start)) s (log: $log); input saved in $artifacts/:"
      grep -aE 'ERROR: |invariant broken|detail:|runtime error|SUMMARY' "$log" | head -n 6
      ls -1 "$artifacts"
    } >&2
    return 1
  fi
}

# Up to $jobs targets at once (bash >= 5.1 for wait -p); each one's lines are printed when it ends.
failed=()
declare -A target_of=()
reap_one() {
  local done_pid="" status=0
  wait -n -p done_pid || status=$?
  [[ $status -eq 0 ]] || failed+=("${target_of[$done_pid]}")
  unset "target_of[$done_pid]"
}
for t in "${targets[@]}"; do
  while [[ ${#target_of[@]} -ge $jobs ]]; do
    reap_one
  done
  fuzz_one "$t" &
  target_of[$!]="$t"
done
while [[ ${#target_of[@]} -gt 0 ]]; do
  reap_one
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "[fuzz] failed: ${failed[*]}" >&2
  echo "[fuzz] replay one input: $BUILD/tests/fuzz/<target> <file>" >&2
  exit 1
fi
