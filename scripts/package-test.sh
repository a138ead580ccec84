#!/usr/bin/env bash
# Builds the release .deb with the Tauri CLI, installs it with apt as a user would, checks its
# desktop entry and icons, starts the installed app under Xvfb (in a private D-Bus session and
# data folders) until its window is mapped, then removes the package again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
TARGET_DIR=${CARGO_TARGET_DIR:-target}
sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

scripts/build-deb.sh src-tauri
deb=$(ls -t "$TARGET_DIR"/release/bundle/deb/*.deb | head -1)
echo "package: $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb --field "$deb" Package Version Depends

DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$(realpath "$deb")" >/dev/null
trap 'DEBIAN_FRONTEND=noninteractive $sudo apt-get remove -y -qq flow-connect >/dev/null || true' EXIT

desktop=$(dpkg -L flow-connect | grep '\.desktop$')
grep -q '^Exec=flow-connect' "$desktop"
grep -q '^Icon=flow-connect' "$desktop"
dpkg -L flow-connect | grep -q '/usr/share/icons/hicolor/.*/apps/flow-connect.png'
echo "desktop entry: $desktop"

# The command line comes with the app, with its completions, and runs without a display.
dpkg -L flow-connect | grep -qx /usr/share/bash-completion/completions/flow-connect-cli
dpkg -L flow-connect | grep -qx /usr/share/zsh/vendor-completions/_flow-connect-cli
env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/flow-connect-cli --version
if ldd /usr/bin/flow-connect-cli | grep -E 'libwebkit2gtk|libgtk'; then
  echo "the installed flow-connect-cli links a GUI library" >&2
  exit 1
fi
echo "flow-connect-cli: $(du -h /usr/bin/flow-connect-cli | cut -f1), no GUI library"

# shellcheck source=scripts/private-session.sh
source scripts/private-session.sh
log=$SANDBOX/installed-app.log
in_keyring --display bash -c '
  FLOW_CONNECT_LOG=info flow-connect >"$1" 2>&1 &
  app=$!
  for _ in $(seq 1 60); do
    if xwininfo -root -tree | grep -q "\"Flow Connect\""; then
      echo "the installed app is running and its window \"Flow Connect\" is mapped"
      kill "$app"
      exit 0
    fi
    kill -0 "$app" 2>/dev/null || break
    sleep 0.5
  done
  echo "the installed app did not show its window; its log:" >&2
  cat "$1" >&2
  exit 1
' _ "$log"
