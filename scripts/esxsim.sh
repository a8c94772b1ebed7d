#!/usr/bin/env bash
# Runs the esxsim vSphere simulator in the foreground, building it first when
# needed. Flags are passed through, e.g.
#   npm run -s esxsim -- -esx -vm 3 -l 127.0.0.1:0
# (npm -s keeps npm's own banner off stdout; esxsim prints only the SDK URL.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BIN="$(bash "$ROOT/scripts/esxsim-build.sh")"
exec "$BIN" "$@"
