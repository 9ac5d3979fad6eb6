#!/usr/bin/env bash
# Installs one Debian package unless the file it provides is already there:
#   bash scripts/install-debian-package.sh PACKAGE FILE
# apt-get is the only source (no binary from anywhere else); without root it says what to run.
set -euo pipefail
package=$1
file=$2
if [[ -x $file ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-debian-package: $file is missing; run as root: apt-get install -y $package" >&2
  exit 1
fi
echo "[install-debian-package] apt-get install $package (a minute or two)" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package" >&2
