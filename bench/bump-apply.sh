#!/usr/bin/env bash
# Times `bump apply` on a synthetic monorepo (bench/make-monorepo.py), beside the raw cost of
# listing what every commit touched (`git log --name-only`), in the same run.
#
#   bench/bump-apply.sh                  release build, then both cases
#   RUNS=3 bench/bump-apply.sh           fewer repetitions (default 5, after one warm-up)
#
# Case 1 (PACKAGES=50, COMMITS=20000, TAGS=600): `bump apply`, `bump apply --dry-run`,
# `bump version --json` and the `git log` peer, interleaved run by run; the working tree is
# restored (`git checkout -- . && git clean -fd`) before every `bump apply`.
# Case 2 (CASE2_PACKAGES=70, CASE2_TAGS=3000, same COMMITS): `bump version --json` and
# `bump apply --dry-run`, with the same peer.
# Other knobs: SEED=1, MAKE_ARGS (e.g. --release-please), KEEP=1 keeps the repositories,
# TMPDIR, BUMP=path/to/bump (time that binary instead of building one). Wall time is measured by bash ($EPOCHREALTIME, microseconds), peak RSS by
# /usr/bin/time -f '%e %M' when it is installed (else wall time only, from bash's `time`).
# Not part of the tests: timings on shared 2-core machines are reported, never asserted.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PACKAGES=${PACKAGES:-50}
COMMITS=${COMMITS:-20000}
TAGS=${TAGS:-600}
RUNS=${RUNS:-5}
CASE2_PACKAGES=${CASE2_PACKAGES:-70}
CASE2_TAGS=${CASE2_TAGS:-3000}
SEED=${SEED:-1}
read -r -a make_args <<<"${MAKE_ARGS:-}"

die() {
  printf 'bump-apply.sh: %s\n' "$*" >&2
  exit 1
}

for var in PACKAGES COMMITS TAGS RUNS CASE2_PACKAGES CASE2_TAGS SEED; do
  [[ ${!var} =~ ^[0-9]+$ ]] || die "$var must be a whole number, not '${!var}'"
done
((RUNS >= 1)) || die "RUNS must be at least 1"
command -v git >/dev/null || die "git is not on PATH"
command -v python3 >/dev/null || die "python3 is not on PATH (the generator needs it)"

work=$(mktemp -d "${TMPDIR:-/tmp}/tidegate-bump-apply.XXXXXX")
cleanup() {
  if [[ ${KEEP:-0} == 1 ]]; then
    printf 'kept %s\n' "$work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- build ---------------------------------------------------------------------------------
if [[ -n ${BUMP:-} ]]; then # a given binary (another build, to compare): no build
  bump=$(cd "$(dirname "$BUMP")" && pwd)/$(basename "$BUMP")
  [[ -x $bump ]] || die "BUMP=$BUMP is not an executable file"
else
  cargo build --release -p bump --manifest-path "$root/Cargo.toml" >&2 ||
    die "cargo build --release -p bump failed (see above)"
  bump=${CARGO_TARGET_DIR:-$root/target}/release/bump
  [[ -x $bump ]] || die "no binary at $bump after the build"
fi
if ! "$bump" apply --help >/dev/null 2>&1; then
  die "$bump has no working 'apply' subcommand yet ('bump apply --help' fails); this bench needs it"
fi

# --- timing --------------------------------------------------------------------------------
time_bin=
if [[ -x /usr/bin/time ]] && /usr/bin/time -f '%e %M' -o /dev/null true 2>/dev/null; then
  time_bin=/usr/bin/time
fi

usec() { # $EPOCHREALTIME as an integer (the separator follows the locale)
  local t=$EPOCHREALTIME
  printf '%s' "${t//[.,]/}"
}

# measure FILE CMD...: runs CMD (stdout to /dev/null), appends "seconds rss_kb" to FILE.
measure() {
  local file=$1 start end secs kb=- status=0
  shift
  start=$(usec)
  if [[ -n $time_bin ]]; then
    "$time_bin" -f '%e %M' -o "$work/time.out" "$@" >/dev/null 2>"$work/cmd.err" || status=$?
  else
    local TIMEFORMAT=%3R
    { time "$@" >/dev/null 2>"$work/cmd.err"; } 2>"$work/time.out" || status=$?
  fi
  end=$(usec)
  ((status == 0)) || fail "$status" "$@"
  if [[ -n $start && -n $end ]]; then
    secs=$(awk -v d=$((end - start)) 'BEGIN { printf "%.6f", d / 1e6 }')
  else # bash older than 5: no $EPOCHREALTIME
    secs=$(tail -n 1 "$work/time.out" | awk '{ print $1 }')
  fi
  [[ -n $time_bin ]] && kb=$(tail -n 1 "$work/time.out" | awk '{ print $2 }')
  printf '%s %s\n' "$secs" "$kb" >>"$file"
}

fail() {
  local status=$1
  shift
  {
    printf 'bump-apply.sh: this command failed (exit %s):\n  %s\n' "$status" "$*"
    if [[ -s $work/cmd.err ]]; then
      printf 'its stderr (last 20 lines):\n'
      tail -n 20 "$work/cmd.err" | sed 's/^/  /'
    fi
  } >&2
  exit 1
}

restore() { # the brief's reset: tracked files back, untracked files gone
  git -C "$1" checkout -q -- . && git -C "$1" clean -qfd ||
    die "could not restore the working tree of $1"
}

check_refs() { # bump apply is expected to edit files only: no commit, no tag
  local repo=$1 head=$2 tags=$3
  [[ $(git -C "$repo" rev-parse HEAD) == "$head" ]] ||
    die "HEAD of $repo moved during 'bump apply'; this bench assumes it only edits files"
  [[ $(git -C "$repo" tag | wc -l) -eq $tags ]] ||
    die "'bump apply' changed the tags of $repo; this bench assumes it only edits files"
}

# summary FILE LABEL: median, min, max seconds and the largest RSS; sets $median.
summary() {
  local file=$1 label=$2 line
  line=$(awk '{ print $1 }' "$file" | sort -g | awk '
    { v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%.4f %.3f %.3f", m, v[1], v[NR] }')
  median=${line%% *}
  local rss
  rss=$(awk '$2 != "-" { if ($2 > m) m = $2 } END { if (m) printf "%.1f MB", m / 1024; else print "n/a" }' "$file")
  read -r _ lo hi <<<"$line"
  printf '  %-44s median %7.3f s   (min %.3f, max %.3f)   peak RSS %s\n' \
    "$label" "$median" "$lo" "$hi" "$rss"
}

ratio() {
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'
}

generate() { # generate DIR PACKAGES TAGS
  python3 "$root/bench/make-monorepo.py" "$1" --packages "$2" --commits "$COMMITS" \
    --tags "$3" --seed "$SEED" ${make_args[@]+"${make_args[@]}"} >&2 ||
    die "bench/make-monorepo.py failed for $1"
}

# `bump version` picks its package with --package when several are configured; if the
# binary refuses a multi-package config without it, time one package and say so.
version_cmd() {
  local repo=$1 first
  version=("$bump" version --repo "$repo" --json)
  if ! "${version[@]}" >/dev/null 2>"$work/cmd.err"; then
    if grep -q -- '--package' "$work/cmd.err"; then
      first=$(git -C "$repo" ls-tree -d --name-only HEAD crates/ | head -n 1)
      printf 'note: %s refuses a multi-package config without --package; timing --package %s\n' \
        "bump version --json" "$first" >&2
      version+=(--package "$first")
    fi
  fi
}

printf 'bump %s (%s bytes), project %s%s; %s; runs: %s after a warm-up\n' \
  "$("$bump" --version | awk '{ print $2 }')" "$(stat -c %s "$bump")" \
  "$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
  "$([[ -n $(git -C "$root" status --porcelain --untracked-files=no 2>/dev/null) ]] && echo ' (modified)')" \
  "$([[ -n $time_bin ]] && echo "RSS by $time_bin" || echo 'no /usr/bin/time: no RSS')" "$RUNS"

# --- case 1: bump apply ----------------------------------------------------------------------
repo=$work/case1
generate "$repo" "$PACKAGES" "$TAGS"
head=$(git -C "$repo" rev-parse HEAD)
tags=$(git -C "$repo" tag | wc -l)
version_cmd "$repo"
apply=("$bump" apply --repo "$repo")
dry=("$bump" apply --repo "$repo" --dry-run)
peer=(git -C "$repo" log --name-only --format=%H HEAD)
mkdir -p "$work/t1" "$work/warm"
for ((run = 0; run <= RUNS; run++)); do
  out=$work/t1
  ((run == 0)) && out=$work/warm # the warm-up round is not counted
  restore "$repo"
  measure "$out/apply" "${apply[@]}"
  check_refs "$repo" "$head" "$tags"
  if ((run == 0)); then
    changed=$(git -C "$repo" status --porcelain | wc -l)
    ((changed > 0)) || die "'bump apply' changed no file in $repo: nothing to measure"
    printf "bump apply changes %s files (git status --porcelain) in case 1\n" "$changed"
  fi
  restore "$repo"
  measure "$out/dry" "${dry[@]}"
  [[ -z $(git -C "$repo" status --porcelain) ]] || die "'bump apply --dry-run' changed files in $repo"
  measure "$out/version" "${version[@]}"
  measure "$out/peer" "${peer[@]}"
done
restore "$repo"

printf '\ncase 1: %s packages, %s commits, %s tags (%s runs)\n' "$PACKAGES" "$COMMITS" "$tags" "$RUNS"
summary "$work/t1/apply" "bump apply"
m_apply=$median
summary "$work/t1/dry" "bump apply --dry-run"
m_dry=$median
summary "$work/t1/version" "bump version --json${version[6]:+ --package ${version[6]}}"
summary "$work/t1/peer" "peer: git log --name-only"
m_peer=$median
printf '  ratio to the peer (medians): bump apply %s, bump apply --dry-run %s\n' \
  "$(ratio "$m_apply" "$m_peer")" "$(ratio "$m_dry" "$m_peer")"
[[ ${KEEP:-0} == 1 ]] || rm -rf "$repo"

# --- case 2: many tags ---------------------------------------------------------------------
repo=$work/case2
generate "$repo" "$CASE2_PACKAGES" "$CASE2_TAGS"
tags=$(git -C "$repo" tag | wc -l)
version_cmd "$repo"
dry=("$bump" apply --repo "$repo" --dry-run)
peer=(git -C "$repo" log --name-only --format=%H HEAD)
mkdir -p "$work/t2"
for ((run = 0; run <= RUNS; run++)); do
  out=$work/t2
  ((run == 0)) && out=$work/warm
  measure "$out/version2" "${version[@]}"
  measure "$out/dry2" "${dry[@]}"
  measure "$out/peer2" "${peer[@]}"
done
[[ -z $(git -C "$repo" status --porcelain) ]] || die "'bump apply --dry-run' changed files in $repo"

printf '\ncase 2: %s packages, %s commits, %s tags (%s runs)\n' \
  "$CASE2_PACKAGES" "$COMMITS" "$tags" "$RUNS"
summary "$work/t2/version2" "bump version --json${version[6]:+ --package ${version[6]}}"
summary "$work/t2/dry2" "bump apply --dry-run"
m_dry=$median
summary "$work/t2/peer2" "peer: git log --name-only"
m_peer=$median
printf '  ratio to the peer (medians): bump apply --dry-run %s\n' "$(ratio "$m_dry" "$m_peer")"
