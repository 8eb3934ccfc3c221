#!/usr/bin/env bash
# Builds the test-infrastructure binaries Ferry's tests run against, from their Go modules, into
# ~/.cache/ferry/bin/<tool>/<key>/ and records their paths in ~/.cache/ferry/tools.json.
# A binary already in the cache is reused. Go is a test tool only: nothing built here ships with Ferry.
# Each tool has one script in scripts/tools/ (sourced in name order) and its pinned go.mod under tools/go/.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools/lib.sh
for f in scripts/tools/[0-9]*.sh; do
  # shellcheck source=/dev/null
  source "$f"
done
tools_write_index
