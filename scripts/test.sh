#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, checks generated code and the compose
# file, and runs every test (unit, simulation, and the multi-host e2e suite, which needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/check-proto-drift.sh
bash scripts/check-compose.sh
npm test
