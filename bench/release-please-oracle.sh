#!/usr/bin/env bash
# Holds Tidegate's commit reader to release-please's own parser, message for message: on every
# commit of the given repositories (for example those ../shared/compat/rebuild.py makes) and on
# generated messages. Not part of the tests: it needs npm (release-please from the registry).
#
#   bench/release-please-oracle.sh [REPO…]
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/tidegate-bench}/release-please
if [[ ! -d $dir/node_modules/release-please ]]; then
  npm install --silent --prefix "$dir" release-please@17.11.2 >&2
fi
export RP_MODULES=$dir/node_modules
cargo build --quiet --example parse-messages -p tidegate-core --manifest-path "$root/Cargo.toml"
bin=$root/target/debug/examples/parse-messages
for repo in "$@"; do
  python3 "$root/bench/oracle/diff.py" "$repo" "$bin" 3
done
for seed in 1 2 3; do
  python3 "$root/bench/oracle/fuzz.py" 4000 "$seed" "$bin"
done
