#!/usr/bin/env python3
"""The window manager's part for the end-to-end suites, on the virtual X display.

  x11-window.py wait PID SECONDS [TITLE]   exits 0 once PID ("any": any process) shows a
                                           window titled TITLE ("Flow Connect"), 1 if none
                                           did in time
  x11-window.py close PID [TITLE]          asks that window to close as a window manager's
                                           close button does (WM_DELETE_WINDOW); exits 1 if
                                           there is none

Plain libX11 through ctypes, so the suites need no window manager nor xdotool.
"""

import ctypes
import sys
import time


x11 = ctypes.CDLL("libX11.so.6")
Window = ctypes.c_ulong
Atom = ctypes.c_ulong


class XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
        ("root", Window), ("c_class", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong), ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int), ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long), ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int), ("screen", ctypes.c_void_p),
    ]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p), ("window", Window), ("message_type", Atom),
        ("format", ctypes.c_int), ("l", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


x11.XOpenDisplay.restype = ctypes.c_void_p
x11.XOpenDisplay.argtypes = [ctypes.c_char_p]
x11.XDefaultRootWindow.restype = Window
x11.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
x11.XInternAtom.restype = Atom
x11.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
x11.XQueryTree.argtypes = [
    ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
    ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint),
]
x11.XGetWindowProperty.argtypes = [
    ctypes.c_void_p, Window, Atom, ctypes.c_long, ctypes.c_long, ctypes.c_int, Atom,
    ctypes.POINTER(Atom), ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ulong),
    ctypes.POINTER(ctypes.c_ulong), ctypes.POINTER(ctypes.POINTER(ctypes.c_ubyte)),
]
x11.XGetWindowAttributes.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(XWindowAttributes)]
x11.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
x11.XFree.argtypes = [ctypes.c_void_p]
x11.XFlush.argtypes = [ctypes.c_void_p]
x11.XCloseDisplay.argtypes = [ctypes.c_void_p]
# A window that goes away between two calls is no reason to stop.
ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)(lambda d, e: 0)
x11.XSetErrorHandler(ERROR_HANDLER)

VIEWABLE = 2
CLIENT_MESSAGE = 33


def prop(display, window, name, kind):
    actual, fmt = Atom(), ctypes.c_int()
    count, after = ctypes.c_ulong(), ctypes.c_ulong()
    data = ctypes.POINTER(ctypes.c_ubyte)()
    atom = x11.XInternAtom(display, name, 0)
    if x11.XGetWindowProperty(display, window, atom, 0, 1024, 0, kind, ctypes.byref(actual),
                              ctypes.byref(fmt), ctypes.byref(count), ctypes.byref(after),
                              ctypes.byref(data)) != 0 or not data:
        return None
    try:
        if fmt.value == 32:
            return ctypes.cast(data, ctypes.POINTER(ctypes.c_ulong))[0] if count.value else None
        return bytes(data[: count.value])
    finally:
        x11.XFree(data)


def children(display, window):
    root, parent = Window(), Window()
    kids, count = ctypes.POINTER(Window)(), ctypes.c_uint()
    if not x11.XQueryTree(display, window, ctypes.byref(root), ctypes.byref(parent),
                          ctypes.byref(kids), ctypes.byref(count)):
        return []
    found = [kids[i] for i in range(count.value)]
    if kids:
        x11.XFree(kids)
    return found


def window_of(display, pid, wanted):
    """The shown window titled `wanted` of `pid`, looking two levels down for a reparenting
    window manager's frames."""
    cardinal = x11.XInternAtom(display, b"CARDINAL", 0)
    any_type = 0
    root = x11.XDefaultRootWindow(display)
    for top in children(display, root):
        for window in [top, *children(display, top)]:
            if pid is not None and prop(display, window, b"_NET_WM_PID", cardinal) != pid:
                continue
            title = prop(display, window, b"_NET_WM_NAME", any_type) or prop(display, window, b"WM_NAME", any_type)
            attrs = XWindowAttributes()
            if title == wanted and x11.XGetWindowAttributes(display, window, ctypes.byref(attrs)) \
                    and attrs.map_state == VIEWABLE:
                return window
    return None


def main():
    command, pid = sys.argv[1], None if sys.argv[2] == "any" else int(sys.argv[2])
    title_at = 4 if command == "wait" else 3
    wanted = (sys.argv[title_at] if len(sys.argv) > title_at else "Flow Connect").encode()
    display = x11.XOpenDisplay(None)
    if not display:
        sys.exit("no X display")
    if command == "wait":
        deadline = time.monotonic() + float(sys.argv[3])
        while time.monotonic() < deadline:
            if window_of(display, pid, wanted):
                return 0
            time.sleep(0.1)
        return 1
    window = window_of(display, pid, wanted)
    if not window:
        return 1
    event = XEvent()
    event.xclient.type = CLIENT_MESSAGE
    event.xclient.window = window
    event.xclient.message_type = x11.XInternAtom(display, b"WM_PROTOCOLS", 0)
    event.xclient.format = 32
    event.xclient.l[0] = x11.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
    event.xclient.l[1] = 0  # CurrentTime
    x11.XSendEvent(display, window, 0, 0, ctypes.byref(event))
    x11.XFlush(display)
    x11.XCloseDisplay(display)
    return 0


if __name__ == "__main__":
    sys.exit(main())
