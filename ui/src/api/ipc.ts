// The only module that talks to the Rust backend: `call` invokes a command, every failure arrives
// as a BackendError carrying the backend's {code, message}, and file drops come from here too.
// The typed wrappers, one per command, are in the subject modules beside it.
import { invoke } from "@tauri-apps/api/core";

import type { CommandError } from "../bindings/CommandError";
import type { ErrorCode } from "../bindings/ErrorCode";

export class BackendError extends Error {
  readonly code: ErrorCode | "Unknown";

  constructor(code: ErrorCode | "Unknown", message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as Record<string, unknown>).code === "string" &&
    typeof (value as Record<string, unknown>).message === "string"
  );
}

/** The end-to-end suites set this to see every reply, so they can assert that none carries a
 * secret; nothing else does. */
type ReplyTap = (command: string, reply: unknown) => void;

function tap(command: string, reply: unknown): void {
  const seen = (window as unknown as { __flowConnectReplyTap?: ReplyTap }).__flowConnectReplyTap;
  seen?.(command, reply);
}

/** Each command's first call and first answer are marked (`ipc-sent:` and `ipc:` with its
 * name) for `make bench`'s waterfall of a launch; later ones are not, so the entries stay few. */
const marked = new Set<string>();

function markFirst(step: string): void {
  if (marked.has(step)) return;
  marked.add(step);
  performance.mark(step);
}

export async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  markFirst(`ipc-sent:${command}`);
  try {
    const reply = await invoke<T>(command, args);
    markFirst(`ipc:${command}`);
    tap(command, reply);
    return reply;
  } catch (error: unknown) {
    tap(command, error);
    if (isCommandError(error)) throw new BackendError(error.code, error.message);
    const message = error instanceof Error ? error.message : String(error);
    throw new BackendError(
      "Unknown",
      `Flow Connect's backend did not answer (${message}). Restart the app.`,
    );
  }
}

/** Calls `handler` with the payload of each `name` event the backend sends (typed by the
 * caller, as `call`'s answers are); returns the function that stops listening. */
export async function onEvent(
  name: string,
  handler: (payload: unknown) => void,
): Promise<() => void> {
  const { listen } = await import("@tauri-apps/api/event");
  return listen(name, (event) => {
    handler(event.payload);
  });
}

/** Calls `ondrop` with the paths of files dropped on the window, and `onover` as a drag
 * enters (true) or leaves (false). Tauri reads the drop natively, so the page's own drop
 * events never see a file. Returns the function that stops listening. */
export async function onFileDrop(
  ondrop: (paths: string[]) => void,
  onover: (over: boolean) => void,
): Promise<() => void> {
  const { getCurrentWebview } = await import("@tauri-apps/api/webview");
  return getCurrentWebview().onDragDropEvent((event) => {
    const drag = event.payload;
    if (drag.type === "drop") {
      onover(false);
      ondrop(drag.paths);
    } else if (drag.type === "leave") onover(false);
    else onover(true);
  });
}
