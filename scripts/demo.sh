#!/usr/bin/env bash
# Starts the fake Adobe services on loopback and opens Flow Connect wired to them, with a
# throwaway data folder and keychain of its own: the demo never touches your real accounts.
set -euo pipefail
bin_dir=$1

demo_home=$(mktemp -d -t flow-connect-demo.XXXXXX)
fifo=$demo_home/fakes.out
mkfifo "$fifo"
"$bin_dir/fake-services" 0 >"$fifo" &
fakes=$!
trap 'kill $fakes 2>/dev/null || true; rm -rf "$demo_home"' EXIT
exec 3<"$fifo"
# The fakes print several lines (tests/fakes/main.rs): take the two the demo needs by how they
# start, not by position, and stop reading at the Adobe credentials (the fifo never ends).
url= credentials=
while read -r line <&3; do
  case $line in
    http://*) url=$line ;;
    "client id: "*)
      credentials=$line
      break
      ;;
  esac
done
if [[ -z $url || -z $credentials ]]; then
  echo "fake-services stopped before printing its address and credentials" >&2
  exit 1
fi
echo "Fake Adobe services: $url"
echo "Add an Adobe account with  $credentials"

# A Wayland socket is found relative to XDG_RUNTIME_DIR, which moves below: pin it first.
if [[ -n ${WAYLAND_DISPLAY:-} && ${WAYLAND_DISPLAY} != /* && -n ${XDG_RUNTIME_DIR:-} ]]; then
  export WAYLAND_DISPLAY=$XDG_RUNTIME_DIR/$WAYLAND_DISPLAY
fi
export FLOW_CONNECT_PLATFORM_URL=$url FLOW_CONNECT_IMS_URL=$url
export XDG_DATA_HOME=$demo_home/data XDG_CONFIG_HOME=$demo_home/config XDG_CACHE_HOME=$demo_home/cache
export XDG_RUNTIME_DIR=$demo_home/runtime
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
unset DBUS_SESSION_BUS_ADDRESS

# Its own session bus and an unlocked keyring hold the demo's secrets.
launch=(dbus-run-session -- bash -c \
  'echo -n demo | gnome-keyring-daemon --unlock --components=secrets >/dev/null; exec "$0"' \
  "$bin_dir/flow-connect")
if [[ -z ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
  echo "No display found: opening Flow Connect on a virtual X display (xvfb-run)." >&2
  launch=(xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" "${launch[@]}")
fi
"${launch[@]}"
