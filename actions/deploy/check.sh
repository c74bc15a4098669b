#!/usr/bin/env bash
# actions/deploy's first step: refuses inputs that cannot work, before anything is installed or
# any request is made. Each refusal is one `::error::` line and exit 2.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../setup/args.sh"

refuse() { # INPUT WHAT-IS-WRONG-AND-WHAT-TO-DO
  echo "::error::input '$1' $2" >&2
  exit 2
}

# one_line INPUT VALUE: refuses a value that spans lines (it would be two values).
one_line() {
  [[ $2 != *$'\n'* && $2 != *$'\r'* ]] || refuse "$1" "'$(escaped "$2")' spans lines; give one line"
}

case $INPUT_MODE in
  deploy | rollback | status | list) ;;
  *) refuse mode "must be deploy, rollback, status or list, not '$(escaped "$INPUT_MODE")'" ;;
esac
[[ -n ${INPUT_ENVIRONMENT//[[:space:]]/} ]] ||
  refuse environment "is empty; name the environment (staging, production…)"
one_line environment "$INPUT_ENVIRONMENT"

# Inputs of one mode given to another are refused rather than ignored.
only_for() { # INPUT VALUE MODES...
  local input=$1 value=$2 mode
  shift 2
  [[ -n $value ]] || return 0
  for mode in "$@"; do [[ $INPUT_MODE == "$mode" ]] && return 0; done
  refuse "$input" "is for mode $(
    IFS=/
    echo "$*"
  ), not $INPUT_MODE; leave it out"
}
only_for version "$INPUT_VERSION" deploy rollback
only_for reason "$INPUT_REASON" deploy rollback
only_for ref "$INPUT_REF" deploy rollback
only_for workflow "$INPUT_WORKFLOW" deploy rollback
only_for required-contexts "$INPUT_REQUIRED_CONTEXTS" deploy rollback
only_for workflow-inputs "$INPUT_WORKFLOW_INPUTS" deploy rollback
only_for status "$INPUT_STATUS" status
only_for deployment-id "$INPUT_DEPLOYMENT_ID" status
only_for log-url "$INPUT_LOG_URL" status
only_for description "$INPUT_DESCRIPTION" status
only_for limit "$INPUT_LIMIT" list
enabled "$INPUT_REQUIRE_ASSETS" require-assets || true
enabled "$INPUT_FORCE" force && only_for force true rollback

if [[ -n $INPUT_VERSION && ! $INPUT_VERSION =~ ^[A-Za-z0-9][A-Za-z0-9._+/-]*$ ]]; then
  refuse version "'$(escaped "$INPUT_VERSION")' is not a tag name; give the tag to deploy (v1.4.0)"
fi
for input in reason ref description log-url; do
  variable=INPUT_${input//-/_}
  variable=${variable^^}
  one_line "$input" "${!variable}"
done

case $INPUT_MODE in
  deploy | rollback)
    [[ $INPUT_MODE == rollback || -n $INPUT_VERSION ]] ||
      refuse version "is empty; give the tag to deploy (v1.4.0)"
    [[ $INPUT_MODE == deploy || -n ${INPUT_REASON//[[:space:]]/} ]] ||
      refuse reason "is empty; a rollback says why, and the reason is kept with the deployment"
    [[ -z $INPUT_WORKFLOW || $INPUT_WORKFLOW =~ ^[A-Za-z0-9._-]+\.ya?ml$ ]] ||
      refuse workflow "'$(escaped "$INPUT_WORKFLOW")' is not a workflow file name; give the file under .github/workflows/ (deploy.yml)"
    while IFS= read -r line; do
      [[ -n ${line//[[:space:]]/} ]] || continue
      [[ $line =~ ^[[:space:]]*[A-Za-z_][A-Za-z0-9_-]*= ]] ||
        refuse workflow-inputs "line '$(escaped "$line")' is not NAME=VALUE; give one workflow input per line"
    done <<<"$INPUT_WORKFLOW_INPUTS"
    ;;
  status)
    case $INPUT_STATUS in
      success | failure | error | in_progress) ;;
      '') refuse status "is empty; give success, failure, error or in_progress" ;;
      *) refuse status "must be success, failure, error or in_progress, not '$(escaped "$INPUT_STATUS")'" ;;
    esac
    [[ -z $INPUT_DEPLOYMENT_ID || $INPUT_DEPLOYMENT_ID =~ ^[1-9][0-9]*$ ]] ||
      refuse deployment-id "must be a deployment's number, not '$(escaped "$INPUT_DEPLOYMENT_ID")'"
    ;;
  list)
    [[ -z $INPUT_LIMIT || $INPUT_LIMIT =~ ^[1-9][0-9]*$ ]] ||
      refuse limit "must be a number of deployments (1 or more), not '$(escaped "$INPUT_LIMIT")'"
    ;;
esac
