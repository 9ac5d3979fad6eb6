#!/usr/bin/env bash
# Debian's PostgreSQL 15 for the connector's database-path tests and benchmark: they start a
# throwaway server of their own (initdb into a temporary directory; src/local/postgres.ts), so
# only the binaries are needed; the package's own cluster is not used.
set -euo pipefail
bash "$(dirname "$0")/install-debian-package.sh" postgresql /usr/lib/postgresql/15/bin/initdb
