#!/usr/bin/env bash
# `bump` for ../shared/compat/replay-versions.py, which runs `bump version --json` at the parent
# of each release commit of a rebuilt history. The release's tag exists there already, and bump
# refuses to propose an existing tag (the right answer for a user); this wrapper turns that
# refusal back into the version it names, so the replay still measures the version rule.
# Usage: python3 ../shared/compat/replay-versions.py bench/compat-bump.sh REPO --newest 25
# (BUMP=path/to/bump, default target/release/bump.)
set -uo pipefail
bump=${BUMP:-$(dirname "$0")/../target/release/bump}
err=$(mktemp)
out=$("$bump" "$@" --allow-full-history 2>"$err")
code=$?
if [[ $code == 2 ]] && version=$(grep -oP 'would be released as \K[^,]+(?=, but tag `[^`]+` exists already)' "$err" | head -1); then
  printf '{"next": "%s"}\n' "$version"
  code=0
else
  printf '%s' "$out"
  cat "$err" >&2
fi
rm -f "$err"
exit "$code"
