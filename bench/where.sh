#!/usr/bin/env bash
# Times `where` for one change on a 20,000-commit history (../shared/bench/make-history.py), from
# the checkout alone (no token), beside `git branch --contains` and `git tag --contains` for the
# same commit, and `where --river` beside `git log --no-merges stable..main`, interleaved run by run. Reports medians and the ratios; never asserted in tests.
#
#   bench/where.sh [WHERE_BIN]      default: target/debug/where (build it with `cargo build -p where`)
#   RUNS=7 COMMITS=20000 bench/where.sh
#
# The river: `main` → `stable` (cut 400 first-parent commits back, with 30 commits of its own), a maintenance line `release/1.0.x` holding a cherry-pick (-x) of the change. The change is
# the fix 300 first-parent commits back on main (one that is not on stable yet), asked by SHA and
# by its PR number (a squash subject ending `(#N)`).
set -euo pipefail
unset RUST_BACKTRACE RUST_LIB_BACKTRACE
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$(realpath "${1:-$root/target/debug/where}")
RUNS=${RUNS:-7}
COMMITS=${COMMITS:-20000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
repo=$work/repo
python3 "$root/../shared/bench/make-history.py" "$repo" --commits "$COMMITS" >/dev/null
cd "$repo"
git checkout -q -f main 2>/dev/null || git checkout -q -f -B main
printf '[river]\nbranches = ["main", "stable"]\n' > tidegate.toml
git branch -f stable main~400
# stable's own commits: what the patch search reads since the merge base.
git checkout -q stable
for n in $(seq 30); do
  echo "$n" > "stable-$n.txt" && git add "stable-$n.txt" && git commit -q -m "fix: stable only $n"
done
change=$(git log --first-parent --no-merges --format='%H %s' -n 200 main~300 | grep -E '^[0-9a-f]+ fix.*\(#[0-9]+\)$' | sed -n 1p || true)
sha=${change%% *}
pr=$(sed -E 's/.*\(#([0-9]+)\)$/\1/' <<<"$change")
git checkout -q -b release/1.0.x "$(git describe --tags --abbrev=0 main~1000)"
# The generated history's changes conflict when picked onto an old line: record the backport
# as `git cherry-pick -x` names it.
git commit -q --allow-empty -m "fix: backport

(cherry picked from commit $sha)"
git checkout -q main
echo "history: $(git rev-list --count --all) commits, $(git tag | wc -l) tags; change $sha (#$pr)"

now() { echo "${EPOCHREALTIME/./}"; }
declare -A times
measure() { # name command...
  local name=$1; shift
  local t0 t1
  t0=$(now); "$@" >/dev/null; t1=$(now)
  times[$name]+="$(( (t1 - t0) / 1000 )) "
}
# warm-up
"$bin" --commit "$sha" --json >/dev/null
for _ in $(seq "$RUNS"); do
  measure "where --commit" "$bin" --commit "$sha" --json
  measure "where --pr" "$bin" --pr "$pr" --json
  measure "git branch --contains" git branch -a --contains "$sha"
  measure "git tag --contains" git tag --contains "$sha"
  measure "where --river" "$bin" --river --json
  measure "git log stable..main" git log --no-merges --format=%H stable..main
done
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
declare -A med
for name in "where --commit" "where --pr" "git branch --contains" "git tag --contains" \
  "where --river" "git log stable..main"; do
  med[$name]=$(median <<<"${times[$name]}")
  printf '%-24s median %5s ms   (runs: %s)\n' "$name" "${med[$name]}" "${times[$name]}"
done
peer=$(( med["git branch --contains"] + med["git tag --contains"] ))
printf 'where --commit / (git branch --contains + git tag --contains) = %s\n' \
  "$(awk -v a="${med["where --commit"]}" -v b="$peer" 'BEGIN {printf "%.2f", a / (b ? b : 1)}')"
"$bin" --commit "$sha"
# The river report's count must be git log's.
echo "river: $("$bin" --river --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hops"][0]["waiting_commits"])') waiting; git log: $(git log --no-merges --format=%H stable..main | wc -l)"
