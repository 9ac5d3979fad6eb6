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
  found="$(sed -E 's/\x1b\[[0-9;]*m//g' "$log" | grep -E "$pattern" | tail -n 1 | sed -E 's/^[[:space:]]+//')"
  if [[ $status -ne 0 ]]; then
    summary+=("$name: FAILED (exit $status) ${found}")
    finish
    exit "$status"
  fi
  if [[ "$found" == "$name:"* ]]; then summary+=("$found"); else summary+=("$name: ${found:-ok}"); fi
}

# The Flow toolchain's own Go tests, under the build's Go settings (scripts/
# flow-toolchain-env.sh) so they reuse the packages install-flow.sh compiled.
go_tests() (
  source scripts/flow-toolchain-env.sh
  out="$(mktemp)"
  (cd "$flow_toolchain_src" && go test -tags "$flow_toolchain_tags" -v ./...) 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  echo "go: $(grep -cE '^ *--- PASS' "$out") passed, $(grep -cE '^ *--- FAIL' "$out") failed"
  rm -f "$out"
  exit "$status"
)

if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  run install '^added|^up to date' npm ci --no-audit --no-fund
fi
run flow-toolchain 'Version:' bash scripts/flow.sh version
run go '^go: ' go_tests
run chromium 'Chromium|^$' bash -c 'bash scripts/install-chromium.sh && /usr/bin/chromium --version' 
run postgresql 'PostgreSQL' bash -c 'bash scripts/install-postgres.sh && /usr/lib/postgresql/15/bin/postgres --version'
run codegen '^codegen:' npm run --silent codegen -- --check
run compile 'Compiled|Nothing to compile' npx hardhat compile
run typecheck '^typecheck:' bash -c 'npx tsc --noEmit -p tsconfig.json && npx tsc --noEmit -p web/tsconfig.json && echo "typecheck: ok (strict, node + web)"'
run lint '^lint: ' bash scripts/flow.sh lint --strict
run cadence '^cadence: ' bash scripts/flow.sh test --cover --min-coverage 90 cadence/tests
run hardhat 'passing|failing' npx hardhat test
run slither 'result\(s\) found' bash scripts/slither.sh
run vitest 'Tests +[0-9]+' npx vitest run

# One closing line over every runner that counts tests.
passed=0
failed=0
add() { passed=$((passed + ${1:-0})); failed=$((failed + ${2:-0})); }
for name in go cadence; do
  line="$(grep -E "^$name: " "$logdir/$name.log" | tail -n 1)"
  add "$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$line")" "$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$line")"
done
add "$(grep -oE '[0-9]+ passing' "$logdir/hardhat.log" | tail -n 1 | cut -d' ' -f1)" "$(grep -oE '[0-9]+ failing' "$logdir/hardhat.log" | tail -n 1 | cut -d' ' -f1)"
vit="$(sed -E 's/\x1b\[[0-9;]*m//g' "$logdir/vitest.log" | grep -E '^ +Tests +' | tail -n 1)"
add "$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$vit")" "$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$vit")"
summary+=("all: $passed passed, $failed failed")
finish
