#!/usr/bin/env bash
# `npm test`: every runner in order, stopping at the first failure, then one
# summary line per runner. Installs what it needs (npm packages, the Flow
# toolchain) first.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

summary=()
logdir="test-artifacts/logs"
mkdir -p "$logdir"

finish() {
  echo
  echo "================ summary ================"
  for line in "${summary[@]}"; do echo "$line"; done
}

# run NAME SUMMARY_REGEX CMD...: runs CMD, tees its output, records the last
# line matching SUMMARY_REGEX (or ok/FAILED), stops everything on failure.
run() {
  local name="$1" pattern="$2"; shift 2
  echo
  echo "================ $name ================"
  local log="$logdir/$name.log"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  local found
  found="$(grep -E "$pattern" "$log" | tail -n 1 | sed -E 's/\x1b\[[0-9;]*m//g' | sed -E 's/^[[:space:]]+//')"
  if [[ $status -ne 0 ]]; then
    summary+=("$name: FAILED (exit $status) ${found}")
    finish
    exit "$status"
  fi
  summary+=("$name: ${found:-ok}")
}

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  run install '^added|^up to date' npm ci --no-audit --no-fund
fi
run flow-toolchain 'Version:' bash scripts/flow.sh version
run compile 'Compiled|Nothing to compile' npx hardhat compile
run typecheck '^typecheck:' bash -c 'npx tsc --noEmit -p tsconfig.json && npx tsc --noEmit -p web/tsconfig.json && echo "typecheck: ok (strict, node + web)"'
run cadence '^cadence: ' bash scripts/flow.sh test --cover --min-coverage 90 cadence/tests
run hardhat 'passing|failing' npx hardhat test
run vitest 'Tests +[0-9]+' npx vitest run
finish
