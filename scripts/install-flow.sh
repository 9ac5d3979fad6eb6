#!/usr/bin/env bash
# Builds FlareFlow's Flow toolchain (emulator, `flow test`, dev wallet) from the
# Go module proxy into a cache outside the clone, keyed by the pinned version and
# a hash of the toolchain's sources; skips the build when that binary is there.
# Prints the binary's path on the last line of stdout.
#
# Why not flow-cli itself: the module proxy reachable here refuses every
# Cadence-1.0 release of github.com/onflow/flow-cli (and its flowkit), while it
# serves flow-emulator and cadence-tools/test, the libraries flow-cli wraps.
# See README, "The Flow toolchain".
set -euo pipefail

# The engines of flow-cli v2.13.4, the newest release whose engine modules the
# proxy serves: cadence-tools/test v1.10.1, flow-emulator v1.15.3, Cadence
# v1.9.4, fcl-dev-wallet v0.9.1 (pinned in tools/flow-toolchain/go.mod and go.sum).
FLOW_TOOLCHAIN_VERSION="v2.13.4-flareflow.1"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$here/flow-toolchain-env.sh"
src="$flow_toolchain_src"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/flareflow/flow-toolchain"
# What the binary is built from: the module files, the sources without their
# tests, the embedded assets.
source_hash="$(cd "$src" && for f in go.mod go.sum ./*.go walletassets/*; do [[ "$f" == *_test.go ]] || cat "$f"; done | sha256sum | cut -c1-12)"
dest="$cache_root/$FLOW_TOOLCHAIN_VERSION-$source_hash"
bin="$dest/flow"

log() { echo "[install-flow] $*" >&2; }

# One build at a time on this machine; a second caller waits, then finds the binary.
mkdir -p "$cache_root"
exec 9>"$cache_root/.lock"
if ! flock -n 9; then
  log "another build of the Flow toolchain is running; waiting for it"
  flock 9
fi

# (grep reads a captured string: `flow version | grep -q` under pipefail fails
# whenever grep exits before flow has finished writing.)
if [[ -x "$bin" ]] && [[ "$("$bin" version 2>/dev/null)" == *"Version: $FLOW_TOOLCHAIN_VERSION"* ]]; then
  log "cached: $bin"
  echo "$bin"
  exit 0
fi

command -v go >/dev/null || { log "Go is required (https://go.dev is not reachable here: use the machine's Go)"; exit 1; }
command -v cc >/dev/null || { log "a C compiler is required (CGO builds the BLS/secp256k1 crypto)"; exit 1; }

mkdir -p "$dest"
tmp="$(mktemp -d "$dest/build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

start=$SECONDS
log "building the Flow toolchain $FLOW_TOOLCHAIN_VERSION (first build: 10-20 minutes on 2 cores)"
log "downloading modules..."
(cd "$src" && go mod download) >&2
total="$(cd "$src" && go list -tags "$flow_toolchain_tags" -deps . | wc -l)"
log "compiling about $total packages"
count=0
(cd "$src" && go build -v -tags "$flow_toolchain_tags" \
  -ldflags "-X main.version=$FLOW_TOOLCHAIN_VERSION" \
  -o "$tmp/flow" . 2>&1) | while IFS= read -r line; do
    count=$((count + 1))
    # -v prints bare package paths; anything with a space is a diagnostic.
    if [[ "$line" == *" "* ]]; then
      echo "$line" >&2
    elif (( count % 50 == 0 )); then
      log "[$count/~$total] $(( SECONDS - start ))s  $line"
    fi
  done
[[ -x "$tmp/flow" ]] || { log "build failed"; exit 1; }

reported="$("$tmp/flow" version)"
echo "$reported" >&2
[[ "$reported" == *"Version: $FLOW_TOOLCHAIN_VERSION"* ]] || { log "built binary reports the wrong version"; exit 1; }
mv "$tmp/flow" "$bin"
log "built in $(( SECONDS - start ))s: $bin"
echo "$bin"
