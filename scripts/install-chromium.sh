#!/usr/bin/env bash
# Installs Debian's chromium for the /docs browser test (test/e2e/docs.test.ts drives it with
# playwright-core; playwright's own browser downloads are never used). No-op when
# /usr/bin/chromium exists. Runs apt-get update first: a fresh machine has no package lists.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then exit 0; fi

log() { echo "install-chromium: $*" >&2; }
SUDO=()
if [[ "$(id -u)" != "0" ]]; then
  if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
    log "not root and no sudo: install Debian's chromium yourself (apt-get install chromium)"; exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
log "installing Debian's chromium"
# apt's lock may be held by a concurrent install (scripts/esxsim-build.sh): wait for it.
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq >&2
"${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends chromium fonts-liberation >&2
/usr/bin/chromium --version >&2
