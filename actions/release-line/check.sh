#!/usr/bin/env bash
# actions/release-line's first step: refuses inputs that do not fit the command, before anything
# is installed or written, and decides what runs: `bump` (cut, hotfix, promote), the merge-back
# (`promote-branch`), and the line's branch that merges back. Its outputs: bump, merge-back, line.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../setup/args.sh"

refuse() { # INPUT WHAT-IS-WRONG-AND-WHAT-TO-DO
  echo "::error::input '$1' $2" >&2
  exit 2
}

command=$INPUT_COMMAND
case $command in
  cut | hotfix | promote | merge-back) ;;
  *) refuse command "must be cut, hotfix, promote or merge-back, not '$(escaped "$command")'" ;;
esac

merge_back=false
if enabled "$INPUT_MERGE_BACK" merge-back; then
  [[ $command == promote ]] ||
    refuse merge-back "is for command promote; with command $command remove it (command merge-back opens the PR on its own)"
  merge_back=true
fi
if [[ $command == merge-back ]]; then merge_back=true; fi

# Inputs a command does not read are refused rather than ignored: a version typed for a
# promotion is a mistake to report, not to drop.
declare -A given=(
  [version]=$INPUT_VERSION
  [from]=$INPUT_FROM
  [tag]=$INPUT_TAG
  [package]=$INPUT_PACKAGE
  [keys-file]=$INPUT_KEYS_FILE
  [branch]=$INPUT_BRANCH
)
if [[ $SIGNING_KEY_GIVEN == true ]]; then given[signing-key]=given; fi
if [[ $SIGNING_PASSPHRASE_GIVEN == true ]]; then given[signing-passphrase]=given; fi
case $command in
  cut) used="version from branch package" ;;
  hotfix) used="tag branch package" ;;
  promote) used="tag package signing-key signing-passphrase keys-file" ;;
  merge-back) used="branch" ;;
esac
if [[ $merge_back == true ]]; then used+=" branch"; fi
for name in version from tag package signing-key signing-passphrase keys-file branch; do
  if [[ -n ${given[$name]:-} && " $used " != *" $name "* ]]; then
    if [[ $command == promote && $name == branch ]]; then
      refuse branch "is used by command promote only with merge-back: true (the line merged back); remove it or set merge-back"
    fi
    refuse "$name" "is not used by command $command; remove it"
  fi
done

case $command in
  cut) [[ -n $INPUT_VERSION ]] || refuse version "is required by command cut: the version the line is for (X.Y.Z)" ;;
  hotfix) [[ -n $INPUT_TAG ]] || refuse tag "is required by command hotfix: the release tag to branch from (vX.Y.Z)" ;;
  promote) [[ -n $INPUT_TAG ]] || refuse tag "is required by command promote: the candidate's tag (vX.Y.Z-rc.N)" ;;
esac
if [[ $SIGNING_PASSPHRASE_GIVEN == true && $SIGNING_KEY_GIVEN != true ]]; then
  refuse signing-passphrase "is given without signing-key; pass the key's secret as signing-key too"
fi
if [[ -n $INPUT_KEYS_FILE && $SIGNING_KEY_GIVEN != true ]]; then
  refuse keys-file "checks the signing key, and signing-key is empty; give signing-key or remove keys-file"
fi

line=
if [[ $merge_back == true ]]; then
  [[ -n $INPUT_INTO ]] || refuse into "is empty; give the branch the line merges back into (such as main)"
  line=$INPUT_BRANCH
  if [[ -z $line ]]; then
    [[ ${GITHUB_REF_TYPE:-} == branch && -n ${GITHUB_REF_NAME:-} ]] ||
      refuse branch "is empty and the workflow does not run on a branch; give the line's branch (such as release/1.4.0)"
    line=$GITHUB_REF_NAME
  fi
  if [[ $line == *[[:space:]]* ]]; then
    refuse branch "'$(escaped "$line")' is not a branch name; give the line's branch (such as release/1.4.0)"
  fi
  if [[ ${line#origin/} == "${INPUT_INTO#origin/}" ]]; then
    refuse branch "would merge $(escaped "$line") back into itself; run the workflow on the line's branch (such as release/1.4.0) or give it as branch"
  fi
fi

# Before a promotion that merges back, the line must be in the checkout and hold the candidate:
# found after the release, either would leave a release without its merge-back PR.
if [[ $command == promote && $merge_back == true ]]; then
  git_in() { git -C "$INPUT_WORKING_DIRECTORY" "$@"; }
  line_ref=
  for ref in "refs/remotes/origin/${line#origin/}" "refs/heads/$line"; do
    if git_in rev-parse --verify --quiet "$ref^{commit}" >/dev/null; then
      line_ref=$ref
      break
    fi
  done
  [[ -n $line_ref ]] ||
    refuse branch "names $(escaped "$line"), which the checkout does not have; check out with fetch-depth: 0, or give the line's branch as branch"
  if candidate=$(git_in rev-parse --verify --quiet "refs/tags/$INPUT_TAG^{commit}"); then
    git_in merge-base --is-ancestor "$candidate" "$line_ref" ||
      refuse branch "names $(escaped "$line"), which does not hold candidate $(escaped "$INPUT_TAG"); run the workflow on the candidate's line or give it as branch"
  fi
fi

bump=true
if [[ $command == merge-back ]]; then bump=false; fi
{
  echo "bump=$bump"
  echo "merge-back=$merge_back"
  echo "line=$line"
} >>"$GITHUB_OUTPUT"
