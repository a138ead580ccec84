// The only module that talks to the Rust backend. Every command has one typed wrapper here,
// and every failure arrives as a BackendError carrying the backend's {code, message}.
import { invoke } from "@tauri-apps/api/core";

import type { CommandError } from "../bindings/CommandError";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { FieldError } from "../bindings/FieldError";
import type { Source } from "../bindings/Source";

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

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error: unknown) {
    if (isCommandError(error)) throw new BackendError(error.code, error.message);
    const message = error instanceof Error ? error.message : String(error);
    throw new BackendError(
      "Unknown",
      `Flow Connect's backend did not answer (${message}). Restart the app.`,
    );
  }
}

export function listSources(): Promise<Source[]> {
  return call<Source[]>("list_sources");
}

export function validateForm(
  specId: string,
  specName: string,
  values: Record<string, string>,
): Promise<FieldError[]> {
  return call<FieldError[]>("validate_form", { specId, specName, values });
}

export function composeConnectionString(
  specId: string,
  specName: string,
  param: string,
  values: Record<string, string>,
): Promise<string> {
  return call<string>("compose_connection_string", { specId, specName, param, values });
}

export function splitConnectionString(
  specId: string,
  specName: string,
  param: string,
  raw: string,
): Promise<Record<string, string>> {
  return call<Record<string, string>>("split_connection_string", { specId, specName, param, raw });
}
