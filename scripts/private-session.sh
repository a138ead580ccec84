# Sourced by the test and benchmark scripts: a private home for everything the tests and the
# app write (XDG folders under a temporary directory, removed on exit), and `in_keyring CMD…`,
# which runs a command in its own D-Bus session with its own unlocked gnome-keyring, so the
# user's keychain and data are never touched. `in_keyring --display` adds a virtual X display.

SANDBOX=$(mktemp -d -t flow-connect.XXXXXX)
trap 'rm -rf "$SANDBOX"' EXIT
export XDG_DATA_HOME=$SANDBOX/data XDG_CONFIG_HOME=$SANDBOX/config XDG_CACHE_HOME=$SANDBOX/cache
export XDG_RUNTIME_DIR=$SANDBOX/runtime
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS

in_keyring() {
  local display=()
  if [[ ${1:-} == --display ]]; then
    display=(xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp")
    shift
  fi
  "${display[@]}" dbus-run-session -- bash -c '
    set -euo pipefail
    echo -n flow-connect-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    # Tests use the real Secret Service only when they see this (tests/fakes/keychain.rs).
    export FLOW_CONNECT_PRIVATE_KEYRING=1
    "$@"
  ' _ "$@"
}
