#!/usr/bin/env bash
# `scripts/build-deb.sh APP_DIR`: a release build and .deb of the Tauri app in APP_DIR
# (src-tauri, or benches/bare-window for the benchmark's baseline) with the Tauri CLI. Only the
# deb bundler: the AppImage one downloads tools, which this build never does. Flow Connect's
# package also carries flow-connect-cli and its bash and zsh completions.
set -euo pipefail
cd "$(dirname "$0")/.."
app=$1
frontend=ui
[[ $app == src-tauri ]] || frontend=$app/www
config=()
if [[ $app == src-tauri ]]; then
  target=$(realpath -m "${CARGO_TARGET_DIR:-target}")
  cargo build --release -p flow-connect-cli --locked
  extra=$target/release/cli-package
  mkdir -p "$extra"
  "$target/release/flow-connect-cli" completions bash >"$extra/flow-connect-cli.bash"
  "$target/release/flow-connect-cli" completions zsh >"$extra/_flow-connect-cli"
  # The files' places in the package, with this build's absolute paths.
  config=(--config "{\"bundle\":{\"linux\":{\"deb\":{\"files\":{
    \"/usr/bin/flow-connect-cli\":\"$target/release/flow-connect-cli\",
    \"/usr/share/bash-completion/completions/flow-connect-cli\":\"$extra/flow-connect-cli.bash\",
    \"/usr/share/zsh/vendor-completions/_flow-connect-cli\":\"$extra/_flow-connect-cli\"}}}}}")
fi
TAURI_APP_PATH=$app TAURI_FRONTEND_PATH=$frontend ui/node_modules/.bin/tauri build --bundles deb "${config[@]}" -- --locked
