#!/usr/bin/env bash
# actions/gate-check's first step: refuses inputs that cannot work, before anything is installed,
# and decides what is evaluated. Its outputs: pr (the pull request, empty with ref) and
# record-name (the audit record's file name under $RUNNER_TEMP).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../setup/args.sh"

refuse() { # INPUT WHAT-IS-WRONG-AND-WHAT-TO-DO
  echo "::error::input '$1' $2" >&2
  exit 2
}

[[ -n $INPUT_GATE ]] || refuse gate "is empty; give the gate's name as tidegate.toml names it ([gates.NAME])"
[[ $INPUT_GATE != *[[:space:]]* ]] ||
  refuse gate "'$(escaped "$INPUT_GATE")' is not a gate name; give the NAME of a [gates.NAME] table"
for name in post-check explain fail-on-pending; do
  variable=INPUT_${name//-/_}
  variable=${variable^^}
  enabled "${!variable}" "$name" || true
done

pr=$INPUT_PR
if [[ -n $pr && -n $INPUT_REF ]]; then
  refuse ref "and pr are both given; give pr for a pull request or ref for a commit, not both"
fi
if [[ -z $pr && -z $INPUT_REF ]]; then
  # The event's pull request (pull_request, pull_request_target, pull_request_review).
  pr=$EVENT_PR
  [[ -n $pr ]] ||
    refuse pr "is empty and the ${GITHUB_EVENT_NAME:-} event has no pull request; give pr (a number) or ref (a commit)"
fi
if [[ -n $pr && ! $pr =~ ^[1-9][0-9]*$ ]]; then
  refuse pr "must be a pull request's number, not '$(escaped "$pr")'"
fi
if [[ $INPUT_REF == *[[:space:]]* ]]; then
  refuse ref "'$(escaped "$INPUT_REF")' is not a commit; give a SHA, tag or branch"
fi

# One record per gate and target, in a name any file system takes.
if [[ -n $pr ]]; then target=pr-$pr; else target=ref-$INPUT_REF; fi
record_name="tidegate-gate-$INPUT_GATE-$target.json"
{
  echo "pr=$pr"
  echo "record-name=${record_name//[^A-Za-z0-9._-]/_}"
} >>"$GITHUB_OUTPUT"
