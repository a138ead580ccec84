// What the components import to talk to the backend: every command's typed wrapper, by subject,
// and the error they throw. Only ipc.ts imports @tauri-apps/api.
export { BackendError, onFileDrop } from "./ipc";
export * from "./accounts";
export * from "./catalog";
export * from "./connections";
export * from "./consent";
export * from "./credentials";
export * from "./dataflows";
export * from "./lifecycle";
export * from "./profiles";
export * from "./shell";
export * from "./promotion";
