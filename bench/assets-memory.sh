#!/usr/bin/env bash
# Peak memory of `bump release --assets` uploading 200 MB (four 50 MB files) to the fake GitHub,
# measured with GNU time around the binary (debug build: streaming, not optimisation, keeps the
# memory flat). Prints one line.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test -p bump --test all measure_the_peak_memory -- --ignored --nocapture 2>/dev/null \
  | grep 'peak-rss-kb'
