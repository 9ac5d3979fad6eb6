#!/usr/bin/env bash
# Debian's PostgreSQL 15 for the connector's database-path tests and benchmark: they start a
# throwaway server of their own (initdb into a temporary directory; src/local/postgres.ts), so
# only the binaries are needed; the package's own cluster is not used.
set -euo pipefail
if [[ -x /usr/lib/postgresql/15/bin/initdb ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-postgres: /usr/lib/postgresql/15/bin/initdb is missing; run as root: apt-get install -y postgresql" >&2
  exit 1
fi
echo "[install-postgres] apt-get install postgresql (a minute)" >&2
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
/usr/lib/postgresql/15/bin/postgres --version >&2
