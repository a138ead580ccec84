# Flow Connect: `make run` builds and opens the app, `make test` runs every check and suite,
# `make bench` measures it against a bare Tauri window.
# Both install what is missing first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
TARGET_DIR := $(or $(CARGO_TARGET_DIR),target)
FEATURES := --features flow-connect/custom-protocol

.PHONY: setup run demo test check ui bench

setup:
	scripts/setup.sh

ui: setup
	cd ui && npm run --silent build

# A release build of the app, opened on the current display (or a virtual one when headless).
# Built as `tauri build` builds the package: without the IPC commands no capability allows
# (tauri.conf.json, removeUnusedCommands), which the Tauri CLI asks for through this variable.
run: ui
	REMOVE_UNUSED_COMMANDS=$(CURDIR)/src-tauri cargo build --release -p flow-connect $(FEATURES) --locked
	scripts/open.sh $(TARGET_DIR)/release/flow-connect

# The app wired to the fake Adobe services on loopback: every screen works without an account.
demo: ui
	cargo build -p flow-connect -p flow-connect-tests --bins $(FEATURES) --locked
	scripts/demo.sh $(TARGET_DIR)/debug

test:
	scripts/test.sh

# The quick loop: formatting, lints, UI types and unit tests, and the Rust tests in the private
# keychain session; no end-to-end suites and no package.
check:
	scripts/test.sh --quick

# Flow Connect against a bare Tauri window, release builds side by side: start-up, memory,
# sizes, and scaling with profiles and connections. Writes docs/benchmarks.md.
bench:
	scripts/bench.sh
