#!/usr/bin/env bash
# Installs Slither (PyPI, pinned) into a virtualenv cached outside the clone,
# once per machine; prints the slither executable's path on the last line.
set -euo pipefail
SLITHER_VERSION="0.11.6"
venv="${XDG_CACHE_HOME:-$HOME/.cache}/flareflow/slither-$SLITHER_VERSION"
# .complete marks a finished install, so an interrupted one is redone.
if [[ -f "$venv/.complete" ]]; then
  echo "$venv/bin/slither"
  exit 0
fi
echo "[install-slither] installing slither-analyzer==$SLITHER_VERSION into $venv" >&2
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check "slither-analyzer==$SLITHER_VERSION" >&2
touch "$venv/.complete"
echo "$venv/bin/slither"
