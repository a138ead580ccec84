// The window's own: the start-up notices, the preferences and the clipboard.
import { call } from "./ipc";
import type { Notices } from "../bindings/Notices";
import type { Preferences } from "../bindings/Preferences";

/** What happened to the accounts and profiles files at start-up (moved aside), once. */
export function takeNotices(): Promise<Notices> {
  return call<Notices>("take_notices");
}

/** The UI's preferences (the last screen); their loss costs nothing. */
export function loadPreferences(): Promise<Preferences> {
  return call<Preferences>("load_preferences");
}

export function savePreferences(preferences: Preferences): Promise<void> {
  const request: Preferences = preferences;
  return call<undefined>("save_preferences", { request });
}

/** Copies text for the user; the clipboard is the browser's, no extra permission needed. */
export function copyText(text: string): Promise<void> {
  return navigator.clipboard.writeText(text);
}

/** A desktop notification, such as the end of a run being watched; never fails. */
export function showNotification(summary: string, body: string): Promise<void> {
  return call<undefined>("show_notification", { summary, body });
}
