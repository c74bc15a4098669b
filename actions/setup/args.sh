# Sourced by the actions' run steps: turns inputs, which reach the step as environment variables,
# into the binary's flags in the array `args`. Values are never evaluated as shell code.
args=()

# escaped VALUE: VALUE as the data of a workflow command (`%`, CR and LF encoded), so that an
# input quoted in an error can never start a line of its own (a command of its own).
escaped() {
  local s=${1//%/%25}
  s=${s//$'\r'/%0D}
  printf '%s' "${s//$'\n'/%0A}"
}

# option FLAG VALUE: `FLAG VALUE` when VALUE is not empty.
option() {
  if [[ -n $2 ]]; then args+=("$1" "$2"); fi
}

# switch FLAG VALUE INPUT: FLAG when VALUE is true; anything but true/false is refused.
switch() {
  case $2 in
    true) args+=("$1") ;;
    false | '') ;;
    *)
      echo "::error::input '$3' must be true or false, not '$(escaped "$2")'" >&2
      exit 2
      ;;
  esac
}

# list FLAG VALUE: FLAG once per item of a comma- or newline-separated VALUE.
list() {
  local item
  while IFS= read -r item; do
    item=${item#"${item%%[![:space:]]*}"}
    item=${item%"${item##*[![:space:]]}"}
    if [[ -n $item ]]; then args+=("$1" "$item"); fi
  done <<<"${2//,/$'\n'}"
}

# enabled VALUE INPUT: succeeds when VALUE is true, fails when false or empty; anything else is
# refused, as by `switch`.
enabled() {
  case $1 in
    true) return 0 ;;
    false | '') return 1 ;;
    *)
      echo "::error::input '$2' must be true or false, not '$(escaped "$1")'" >&2
      exit 2
      ;;
  esac
}
