#!/usr/bin/env bash
# Debian's Chromium for the browser tests (playwright-core drives /usr/bin/chromium;
# nothing downloads a browser of its own).
set -euo pipefail
bash "$(dirname "$0")/install-debian-package.sh" chromium /usr/bin/chromium
