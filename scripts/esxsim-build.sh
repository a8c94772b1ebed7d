#!/usr/bin/env bash
# Builds the esxsim vSphere simulator (test/esxsim) offline, in GOPATH mode,
# against Debian's govmomi 0.24.2, into .cache/esxsim/esxsim.
#
# - Installs the Debian packages when missing (apt-get, non-interactive).
# - Rebuilds only when a .go file under test/esxsim or this script changed
#   (sha256 of the sources stored beside the binary).
# - Safe to run concurrently (flock).
# - Prints the binary's path on stdout; all logging goes to stderr.
#
# Env: ESXSIM_RACE=1 builds with -race (into .cache/esxsim/esxsim-race).
#      ESXSIM_FORCE=1 rebuilds regardless of the hash.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$ROOT/test/esxsim"
CACHE="$ROOT/.cache/esxsim"
NAME="esxsim"
RACE_FLAG=()
if [[ "${ESXSIM_RACE:-}" == "1" ]]; then
  NAME="esxsim-race"
  RACE_FLAG=(-race)
fi
BIN="$CACHE/$NAME"
HASH_FILE="$CACHE/$NAME.sha256"
PACKAGES=(golang-go golang-github-vmware-govmomi-dev golang-github-google-uuid-dev)

log() { echo "esxsim-build: $*" >&2; }

mkdir -p "$CACHE"

source_hash() {
  (
    cd "$SRC"
    # every .go file (tests included: cheap, and keeps the rule simple)
    find . -name '*.go' -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    sha256sum "$ROOT/scripts/esxsim-build.sh"
    echo "race=${ESXSIM_RACE:-0}"
  ) | sha256sum | cut -d' ' -f1
}

up_to_date() {
  [[ "${ESXSIM_FORCE:-}" != "1" && -x "$BIN" && -f "$HASH_FILE" && "$(cat "$HASH_FILE")" == "$1" ]]
}

HASH="$(source_hash)"
if up_to_date "$HASH"; then
  echo "$BIN"
  exit 0
fi

exec 9>"$CACHE/.build.lock"
flock 9
# Another process may have built it while we waited for the lock.
HASH="$(source_hash)"
if up_to_date "$HASH"; then
  echo "$BIN"
  exit 0
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg -s "$p" >/dev/null 2>&1; then missing+=("$p"); fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=()
  if [[ "$(id -u)" != "0" ]]; then
    if command -v sudo >/dev/null 2>&1; then SUDO=(sudo -n); else
      log "not root and no sudo: install ${missing[*]} yourself"; exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  # apt-get has its own lock; run it with our build lock held so concurrent
  # builds do not race each other.
  "${SUDO[@]}" apt-get update -qq >&2
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

GO="$(command -v go || true)"
[[ -z "$GO" && -x /usr/lib/go/bin/go ]] && GO=/usr/lib/go/bin/go
if [[ -z "$GO" ]]; then log "go not found"; exit 1; fi

log "building $BIN ($( "$GO" version | cut -d' ' -f3 ), govmomi from /usr/share/gocode)"
TMP="$BIN.tmp.$$"
trap 'rm -f "$TMP"' EXIT
start=$(date +%s)
(
  cd "$SRC"
  GO111MODULE=off GOPROXY=off GOFLAGS= \
  GOPATH="/usr/share/gocode" \
  GOCACHE="${GOCACHE:-$CACHE/go-build}" \
  "$GO" build "${RACE_FLAG[@]}" -o "$TMP" .
) >&2
mv -f "$TMP" "$BIN"
echo "$HASH" >"$HASH_FILE"
log "built in $(( $(date +%s) - start ))s"
echo "$BIN"
