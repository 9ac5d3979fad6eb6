# Sourced, not run: the Go environment and build tags of the Flow toolchain,
# shared by install-flow.sh (the build) and test.sh (its `go test` step) so
# that the tests reuse the packages the build compiled instead of compiling
# flow-go again under other settings.
flow_toolchain_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools/flow-toolchain" && pwd)"

export CGO_ENABLED=1
export CGO_CFLAGS="-O2 -D__BLST_PORTABLE__ -std=gnu11"
export GOTOOLCHAIN=local
# go.sum pins every module; the checksum database has no entry for some
# onflow modules the proxy serves, so it is not consulted for them.
export GONOSUMDB="github.com/onflow"
# cockroachdb/swiss (via pebble) gates Go 1.26 behind this tag; its runtime
# hooks are unchanged in 1.26.
flow_toolchain_tags="untested_go_version"
