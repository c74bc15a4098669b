#!/usr/bin/env bash
# Times `promote-branch --dry-run` (the whole plan: range, PR roll-up, divergence with patch ids,
# trial merge, title and body) against git computing the same facts (`git log --cherry-mark` over
# both sides, `git merge-tree`), in the same run, on the
# 20,000-commit synthetic history from ../shared/bench.
#
#   bench/promote.sh             release build, then 5 runs per case after a warm-up
#   RUNS=3 bench/promote.sh
#
# Cases: `stable` 3,000 first-parent commits behind `main` with a cherry-picked hotfix on it (so
# divergence and patch ids are computed), and `stable` at the root (all 20,000 commits).
# Not part of the tests: timings on shared 2-core machines are reported, never asserted.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_DIR:-$root/../shared}
work=${BENCH_DIR:-${TMPDIR:-/tmp}/tidegate-bench}/promote
cargo build --release --locked -p promote-branch --manifest-path "$root/Cargo.toml" >&2
bin=$root/target/release/promote-branch
if [ ! -d "$work/repo" ]; then
  mkdir -p "$work"
  python3 "$shared/bench/make-history.py" "$work/repo" --commits 20000 >&2
  git -C "$work/repo" checkout -q -B main
  git -C "$work/repo" branch -f stable "main~3000"
  git -C "$work/repo" branch -f root "$(git -C "$work/repo" rev-list --max-parents=0 main | tail -1)"
  # A hotfix on stable that main already has: a cherry-pick of a change from the range.
  pick=$(git -C "$work/repo" rev-list --no-merges -n 1 main~10)
  git -C "$work/repo" worktree add -q "$work/stable" stable
  git -C "$work/stable" -c user.name=Bench -c user.email=b@x cherry-pick --allow-empty -X theirs -x "$pick" >/dev/null
  git -C "$work/repo" worktree remove --force "$work/stable"
fi
python3 - "$bin" "$work/repo" "${RUNS:-5}" <<'PY'
import os, statistics, subprocess, sys, time
binary, repo, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def measure(cmd):
    subprocess.run(cmd, check=True, capture_output=True)
    times, rss = [], 0
    for _ in range(runs):
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(p.pid, 0)
        assert status == 0, cmd
        times.append(time.perf_counter() - t)
        rss = max(rss, usage.ru_maxrss)
    return statistics.median(times), rss / 1024
for target, label in (("stable", "3,000 behind, diverged"), ("root", "all 20,000")):
    ours = [binary, "--repo", repo, "--from", "main", "--to", target, "--dry-run", "--github-repo", "acme/widgets"]
    # The same facts from git: the range with authors, both sides' patch ids (--cherry-mark), and
    # the trial merge (merge-tree; it exits 1 on conflicts, hence `; true`).
    peer = ["sh", "-c", f"git -C {repo} log --cherry-mark --format='%m %H %an <%ae> %s' {target}...main >/dev/null"
            f" && git -C {repo} merge-tree --write-tree {target} main >/dev/null; true"]
    t_ours, m_ours = measure(ours)
    t_peer, m_peer = measure(peer)
    print(f"{label}: promote-branch --dry-run {t_ours:.3f} s {m_ours:.0f} MB; git log --cherry-mark + merge-tree {t_peer:.3f} s; ratio {t_ours / t_peer:.2f}")
PY
printf 'promote-branch: %s bytes\n' "$(stat -c %s "$bin")"
