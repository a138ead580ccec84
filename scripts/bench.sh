#!/usr/bin/env bash
# `make bench`: builds Flow Connect and a bare Tauri window in release mode with their .deb
# packages, then measures both under Xvfb (tests/e2e/bench.mjs) and the profile book at 1,000
# profiles against the real keychain (tests/benches/profiles.rs), all in a private D-Bus session
# and data folders. Writes docs/benchmarks.md (keeping its hand-written "## Start-up history"
# section) and prints it, ending with the line that says whether each start-up target holds.
# `BENCH_ONLY=startup` measures the two apps' start-up only and writes nothing;
# `BENCH_ONLY=dataflow` measures the dataflow wizard at scale and rewrites its section only.
# Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh
step() { printf '\n== %s\n' "$*"; }

step "Release builds and packages: Flow Connect and the bare window"
scripts/build-deb.sh src-tauri
[ "${BENCH_ONLY:-}" = dataflow ] || scripts/build-deb.sh benches/bare-window
cargo build --release --locked -p flow-connect-tests --bin fake-services

# shellcheck source=scripts/private-session.sh
source scripts/private-session.sh

step "Start-up, memory and sizes (median of ${BENCH_HEADLINE_RUNS:-25} launches each)"
# The history is written by hand, not measured: it is kept across runs.
sed -n '/^## Start-up history/,$p' docs/benchmarks.md >"$SANDBOX/history.md" 2>/dev/null || true
(cd tests/e2e && FLOW_CONNECT_E2E_PROFILE=release in_keyring --display node bench.mjs)
if [ -n "${BENCH_ONLY:-}" ]; then exit 0; fi

step "Profiles at 1,000, against the real keychain"
in_keyring cargo bench --locked -p flow-connect-tests --bench profiles | tee "$SANDBOX/profiles.md"
{ echo; grep -E '^(###|\|)' "$SANDBOX/profiles.md"; } >>docs/benchmarks.md

step "Promotion: 50 connections and 100 dataflows against 1,000 connections"
in_keyring cargo bench --locked -p flow-connect-tests --bench promotion | tee "$SANDBOX/promotion.md"
{ echo; grep -E '^(###|\|)' "$SANDBOX/promotion.md"; } >>docs/benchmarks.md

step "The catalog at 100 large specs"
cargo bench --locked -p flow-connect-tests --bench catalog | tee "$SANDBOX/catalog.md"
{ echo; grep -E '^(###|\|)' "$SANDBOX/catalog.md"; } >>docs/benchmarks.md
if [ -s "$SANDBOX/history.md" ]; then
  { echo; cat "$SANDBOX/history.md"; } >>docs/benchmarks.md
fi
echo
echo "Written to docs/benchmarks.md"
grep '^Targets:' docs/benchmarks.md
