#!/usr/bin/env bash
# Opens a Flow Connect binary: on the current display, or on a virtual one when there is none.
set -euo pipefail
binary=$1
if [[ -n ${DISPLAY:-}${WAYLAND_DISPLAY:-} ]]; then
  exec "$binary"
fi
echo "No display found: opening Flow Connect on a virtual X display (xvfb-run)." >&2
# Without a session bus the keychain would prompt on the invisible screen; give it its own.
exec xvfb-run -a -s "-screen 0 1280x800x24 -nolisten tcp" dbus-run-session -- "$binary"
