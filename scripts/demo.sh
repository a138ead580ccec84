#!/usr/bin/env bash
# Starts the fake Adobe services on loopback and opens Flow Connect wired to them.
set -euo pipefail
bin_dir=$1
fifo=$(mktemp -u)
mkfifo "$fifo"
"$bin_dir/fake-services" 0 >"$fifo" &
fakes=$!
trap 'kill $fakes 2>/dev/null || true; rm -f "$fifo"' EXIT
exec 3<"$fifo"
read -r url <&3
read -r credentials <&3
echo "Fake Adobe services: $url"
echo "Sign in with  $credentials"
export FLOW_CONNECT_PLATFORM_URL=$url FLOW_CONNECT_IMS_URL=$url
"$(dirname "$0")/open.sh" "$bin_dir/flow-connect"
