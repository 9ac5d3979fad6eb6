#!/usr/bin/env bash
# Runs the project's pinned Flow toolchain (never a `flow` found on PATH),
# building it first if the cache lacks it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$(bash "$here/install-flow.sh" | tail -n 1)"
cd "$here/.."
exec "$bin" "$@"
