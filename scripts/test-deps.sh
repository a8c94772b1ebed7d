#!/usr/bin/env bash
# What the test suite needs besides npm packages: the simulator (Debian's Go toolchain and govmomi,
# installed when missing, then built and cached) and Debian's chromium for the /docs browser test.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bash "$ROOT/scripts/esxsim-build.sh" >/dev/null
if [[ -f "$ROOT/scripts/install-chromium.sh" ]]; then bash "$ROOT/scripts/install-chromium.sh"; fi
