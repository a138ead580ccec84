#!/usr/bin/env bash
# Every check and test suite of Flow Connect. Tests run with their own data folders, their own
# D-Bus session and their own unlocked keychain, never the user's.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$HOME/.cargo/bin:$PATH"

scripts/setup.sh

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

# A private home for everything the tests and the app write.
SANDBOX=$(mktemp -d -t flow-connect-test.XXXXXX)
trap 'rm -rf "$SANDBOX"' EXIT
export XDG_DATA_HOME=$SANDBOX/data XDG_CONFIG_HOME=$SANDBOX/config XDG_CACHE_HOME=$SANDBOX/cache
export XDG_RUNTIME_DIR=$SANDBOX/runtime
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS

step "Rust: tests (in a private D-Bus session with its own keychain)"
dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n flow-connect-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cargo test "$@" --locked
' _ "${CARGO_FEATURES[@]}"

step "Generated TypeScript types are current"
if [[ -n $(git status --porcelain -- ui/src/bindings) ]]; then
  git status --short -- ui/src/bindings
  echo "ui/src/bindings changed when the tests regenerated it: commit the new files." >&2
  exit 1
fi

step "End to end: the real window under Xvfb, driven over WebDriver"
cargo build --workspace --features flow-connect/custom-protocol --locked --bins
xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n flow-connect-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  cd tests/e2e && npm test
'
