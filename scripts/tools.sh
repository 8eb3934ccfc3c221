#!/usr/bin/env bash
# Builds the test-infrastructure binaries Ferry's tests run against, from their Go modules, into
# ~/.cache/ferry/bin/<tool>/<version>/. A binary already in the cache is reused. Go is a test tool only:
# nothing built here ships with Ferry.
set -euo pipefail
cd "$(dirname "$0")/.."
