#!/usr/bin/env bash
# Benchmarks `changelog` against git-cliff and times `bump version`, on the 20,000-commit,
# 354-tag synthetic history from ../shared/bench (built once, cached under $BENCH_DIR), then on
# the 26,000-commit history with a tag every other commit (bench/changelog-many-tags.sh), and
# prints each whole changelog's ratio to the `git log` floor and the binaries' sizes.
#
#   bench/changelog.sh                 release build, then every measurement
#   RUNS=3 bench/changelog.sh          fewer repetitions
#   MANY_TAGS=0 bench/changelog.sh     the 20,000-commit history only
#
# Needs npm (git-cliff comes from its npm package) and python3. Not part of the tests: timings on
# shared 2-core machines are reported, never asserted.
set -euo pipefail
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
export BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/tidegate-bench}
cargo build --release --locked -p changelog -p bump -p promote-branch --manifest-path "$root/Cargo.toml" >&2
out=$(bash "$shared/bench/compare-changelog.sh" "$root/target/release/changelog")
printf '%s\n' "$out"
# "full     tidegate   MEDIAN …" and "floor    git log    MEDIAN …" (two words: field 4).
printf '%s\n' "$out" | awk '$1 == "full" && $2 == "tidegate" { t = $3 } $1 == "floor" { f = $4 }
  END { if (f > 0) printf "ratio full to the git log floor: %.2f\n", t / f }'
if [[ ${MANY_TAGS:-1} == 1 ]]; then
  SHARED_DIR=$shared BENCH_DIR=$BENCH_DIR bash "$root/bench/changelog-many-tags.sh" "$root/target/release/changelog"
fi
repo=$BENCH_DIR/synthetic-20k
[[ -d $repo ]] || python3 "$shared/bench/make-history.py" "$repo" --commits 20000 --tag-every 40 --seed 1 >&2
python3 - "$root/target/release/bump" "$repo" "${RUNS:-5}" <<'PY'
import os, statistics, subprocess, sys, time
bump, repo, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
cmd = [bump, "version", "--json", "--repo", repo]
subprocess.run(cmd, check=True, capture_output=True)
times, rss = [], 0
for _ in range(runs * 4):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    times.append(time.perf_counter() - t)
    rss = max(rss, usage.ru_maxrss)
print(f"bump version --json: median {statistics.median(times)*1000:.1f} ms, max {max(times)*1000:.1f} ms, peak_rss {rss/1024:.1f} MB")
PY
for bin in changelog bump promote-branch; do
  printf '%s: %s bytes\n' "$bin" "$(stat -c %s "$root/target/release/$bin")"
done
