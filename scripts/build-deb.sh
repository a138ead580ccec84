#!/usr/bin/env bash
# `scripts/build-deb.sh APP_DIR`: a release build and .deb of the Tauri app in APP_DIR
# (src-tauri, or benches/bare-window for the benchmark's baseline) with the Tauri CLI. Only the
# deb bundler: the AppImage one downloads tools, which this build never does.
set -euo pipefail
cd "$(dirname "$0")/.."
app=$1
frontend=ui
[[ $app == src-tauri ]] || frontend=$app/www
TAURI_APP_PATH=$app TAURI_FRONTEND_PATH=$frontend ui/node_modules/.bin/tauri build --bundles deb -- --locked
