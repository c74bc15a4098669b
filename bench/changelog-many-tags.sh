#!/usr/bin/env bash
# Times `changelog` on a history with a release tag every other first-parent commit (26,000
# commits, 9,220 annotated tags, made by ../shared/bench/make-history.py and cached under
# $BENCH_DIR) against git-cliff 2.14.2 and the `git log` floor, in one run.
#
#   bench/changelog-many-tags.sh CHANGELOG_BIN
#   RUNS=3 CLIFF_FULL_TIMEOUT=120 bench/changelog-many-tags.sh CHANGELOG_BIN
#
# Cases (median of RUNS after a warm-up; peak RSS): the whole changelog (`--all`), the newest
# release (`--tag`, against git-cliff `--latest`) and the floor (`git log` of every commit with its
# message). git-cliff's whole changelog of this history takes many minutes, so it runs once, no
# warm-up, stopped after CLIFF_FULL_TIMEOUT seconds (default 300): its time is then a lower bound
# and so is the ratio's denominator. Needs npm and python3. Timings are reported, never asserted.
set -euo pipefail
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
bin=$(realpath "${1:?usage: changelog-many-tags.sh CHANGELOG_BIN}")
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/tidegate-bench}
mkdir -p "$BENCH_DIR"
repo=$BENCH_DIR/synthetic-26k-tag-every-2
if [[ ! -d $repo ]]; then
  python3 "$shared/bench/make-history.py" "$repo" --commits 26000 --tag-every 2 --seed 1 >&2
fi
cliff=$BENCH_DIR/peers/node_modules/git-cliff-linux-x64/bin/git-cliff
if [[ ! -x $cliff ]]; then
  npm install --silent --prefix "$BENCH_DIR/peers" git-cliff-linux-x64@2.14.2 >&2
fi
cfg=$BENCH_DIR/cliff-default/cliff.toml
if [[ ! -f $cfg ]]; then
  mkdir -p "$BENCH_DIR/cliff-default"
  (cd "$BENCH_DIR/cliff-default" && "$cliff" --init >/dev/null 2>&1)
fi
latest=$(git -C "$repo" describe --tags --abbrev=0 HEAD)
python3 - "${RUNS:-5}" "${CLIFF_FULL_TIMEOUT:-300}" "$repo" "$latest" "$bin" "$cliff" "$cfg" <<'PY'
import os, statistics, subprocess, sys, threading, time
runs, limit, repo, latest, tg, cliff, cfg = sys.argv[1:]
runs, limit = int(runs), float(limit)
tags = subprocess.run(["git", "-C", repo, "tag"], capture_output=True, text=True).stdout.count("\n")
count = subprocess.run(["git", "-C", repo, "rev-list", "--count", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"history: {repo} ({count} commits, {tags} tags, newest tag {latest})")

def once(cmd, timeout=None):
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    timer = threading.Timer(timeout, p.kill) if timeout else None
    if timer:
        timer.start()
    _, status, usage = os.wait4(p.pid, 0)
    dt = time.perf_counter() - t
    stopped = bool(timer) and not timer.is_alive() and os.WIFSIGNALED(status)
    if timer:
        timer.cancel()
    code = os.waitstatus_to_exitcode(status)
    if code != 0 and not stopped:
        sys.exit(f"{cmd[0]} exited {code}")
    return dt, usage.ru_maxrss, stopped

def median(cmd):
    once(cmd)  # warm-up
    ts, rss = [], 0
    for _ in range(runs):
        dt, r, _ = once(cmd)
        ts.append(dt)
        rss = max(rss, r)
    return statistics.median(ts), min(ts), max(ts), rss / 1024

floor_cmd = ["git", "-C", repo, "log", "--format=%H%x09%P%x09%an%x09%ae%x09%at%n%B%x00", "HEAD"]
full_cmd = [tg, "--repo", repo, "--all", "--output", os.devnull]
tag_cmd = [tg, "--repo", repo, "--tag", latest, "--output", os.devnull]
cliff_latest = [cliff, "--config", cfg, "--repository", repo, "--latest", "-o", os.devnull]
cliff_full = [cliff, "--config", cfg, "--repository", repo, "-o", os.devnull]
print(f"{'case':8} {'tool':10} {'median_s':>9} {'min_s':>8} {'max_s':>8} {'peak_rss_mb':>12}")
res = {}
for case, tool, cmd in [("full", "tidegate", full_cmd), ("latest", "tidegate", tag_cmd),
                        ("latest", "git-cliff", cliff_latest), ("floor", "git log", floor_cmd)]:
    med, lo, hi, rss = median(cmd)
    res[(case, tool)] = med
    print(f"{case:8} {tool:10} {med:9.3f} {lo:8.3f} {hi:8.3f} {rss:12.1f}")
dt, _, stopped = once(cliff_full, timeout=limit)
mark = ">" if stopped else ""
print(f"{'full':8} {'git-cliff':10} {mark}{dt:8.1f}   (one run{', stopped at the time limit' if stopped else ''})")
print(f"ratio full: time {'<' if stopped else ''}{res[('full', 'tidegate')] / dt:.4f}  (tidegate / git-cliff)")
print(f"ratio full to the git log floor: {res[('full', 'tidegate')] / res[('floor', 'git log')]:.2f}")
print(f"ratio latest: time {res[('latest', 'tidegate')] / res[('latest', 'git-cliff')]:.3f}  (tidegate / git-cliff --latest)")
PY
