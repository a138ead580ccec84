#!/usr/bin/env bash
# Every check and test suite of Flow Connect. Tests run with their own data folders, their own
# D-Bus session and their own unlocked keychain, never the user's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh

# `--quick` (make check) stops before the end-to-end suites and the package.
quick=false
[[ ${1:-} == --quick ]] && quick=true

step() { printf '\n== %s\n' "$*"; }

# Every cargo command passes the same features, so the app binary is built once and always
# embeds ui/dist (see the custom-protocol feature in src-tauri/Cargo.toml).
CARGO_FEATURES=(--workspace --all-targets --features flow-connect/custom-protocol)

step "Format"
cargo fmt --all --check
(cd ui && npx --no-install prettier --check .)

step "UI: types and lint"
(cd ui && npm run --silent check && npx --no-install eslint .)

step "UI: component tests (vitest, backend mocked)"
(cd ui && npm test --silent)

step "UI: build (the app embeds it)"
(cd ui && npm run --silent build)

step "Rust: clippy"
cargo clippy "${CARGO_FEATURES[@]}" --locked -- -D warnings

# shellcheck source=scripts/private-session.sh
source scripts/private-session.sh

step "Rust: tests (in a private D-Bus session with its own keychain)"
# The CLI's suite runs the built flow-connect-cli, which `cargo test` does not build.
cargo build -p flow-connect-cli --locked
# Tests that need this session's keychain are #[ignore]d with that reason for a plain `cargo test`;
# here they run too.
in_keyring cargo test "${CARGO_FEATURES[@]}" --locked -- --include-ignored

step "Generated TypeScript types are current"
if [[ -n $(git status --porcelain -- ui/src/bindings) ]]; then
  git status --short -- ui/src/bindings
  echo "ui/src/bindings changed when the tests regenerated it: commit the new files." >&2
  exit 1
fi

if $quick; then
  exit 0
fi

step "End to end: the real window under Xvfb, driven over WebDriver"
cargo build --workspace --features flow-connect/custom-protocol --locked --bins
(cd tests/e2e && in_keyring --display npm test)

step "Package: build the .deb, install it, start the installed app"
scripts/package-test.sh
