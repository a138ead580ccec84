#!/usr/bin/env bash
# Installs what building and testing Flow Connect needs on Debian 12 or Ubuntu: system
# packages, the UI's npm packages and tauri-driver. Safe to run again: it installs only what
# is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  libwebkit2gtk-4.1-dev build-essential libssl-dev libxdo-dev libayatana-appindicator3-dev
  librsvg2-dev pkg-config file xvfb xauth imagemagick webkit2gtk-driver gnome-keyring dbus
  dbus-x11 libsecret-tools xdg-utils x11-utils python3 libx11-6
)

missing=()
for package in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

need_node="20.19.0"
if ! command -v node >/dev/null || ! node -e "
  const [a, b] = process.versions.node.split('.').map(Number);
  const [x, y] = '$need_node'.split('.').map(Number);
  process.exit(a > x || (a === x && b >= y) ? 0 : 1);"; then
  echo "setup: Node.js $need_node or newer is needed (found: $(node --version 2>/dev/null || echo none))." >&2
  echo "       Install it from your distribution or nodejs.org, then run this again." >&2
  exit 1
fi
if ! command -v cargo >/dev/null; then
  echo "setup: Rust is needed: install it with rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi

# npm ci only when the lockfile changed since the last install.
install_npm() {
  local dir=$1
  if [[ ! -f $dir/node_modules/.package-lock.json ]] || [[ $dir/package-lock.json -nt $dir/node_modules/.package-lock.json ]]; then
    (cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  fi
}
install_npm ui
install_npm tests/e2e

if ! command -v tauri-driver >/dev/null; then
  echo "setup: installing tauri-driver"
  cargo install tauri-driver --locked --version "^2" --quiet
fi
