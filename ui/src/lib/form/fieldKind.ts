/** The inputs Field.svelte draws; ParamField.svelte picks one for each param kind. */
export type FieldKind =
  | "text"
  | "url"
  | "host"
  | "port"
  | "multiLine"
  | "date"
  | "file"
  | "email"
  | "integer"
  | "number"
  | "boolean"
  | "choice"
  | "list"
  | "json";
