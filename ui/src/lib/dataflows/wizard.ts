// What the dataflow wizard decides without the backend: the plan its fields make, the delta
// column it proposes, what a finished run's errors suggest doing, and how often a watched run
// is read. The rules of the plan itself live in the core.
import type { ChainObject } from "../../bindings/ChainObject";
import type { Column } from "../../bindings/Column";
import type { DataflowPlan } from "../../bindings/DataflowPlan";
import type { MappingRow } from "../../bindings/MappingRow";
import type { Run } from "../../bindings/Run";
import type { SourceType } from "../../bindings/SourceType";

/** How a file is read, from its name's extension: JSON, Parquet, else delimited text. */
export function fileTypeOf(name: string): "delimited" | "json" | "parquet" {
  const lower = name.toLowerCase().replace(/\.(gz|bz2|zip|tar|tgz)$/, "");
  if (lower.endsWith(".json") || lower.endsWith(".jsonl")) return "json";
  if (lower.endsWith(".parquet")) return "parquet";
  return "delimited";
}

/** A file source's own choices: the file or its folder, and how the files are read. */
export type FileChoices = {
  /** `file`: only the one explored; `folder`: every file of its folder. */
  objectType: "file" | "folder";
  recursive: boolean;
  format: "delimited" | "json" | "parquet";
  delimiter: string;
  encoding: "UTF-8" | "ISO-8859-1";
  compression: "" | "bzip2" | "gzip" | "deflate" | "zipDeflate" | "tarGzip" | "tar";
};

/** The wizard's fields, as the user set them. */
export type Choices = {
  name: string;
  connectionId: string;
  /** The table's path, or the file's. */
  tablePath: string;
  /** Set for a file of a cloud-storage source. */
  files: FileChoices | null;
  columns: Column[];
  /** The columns kept, by name. */
  kept: string[];
  target:
    | { kind: "existing"; datasetId: string }
    | {
        kind: "new";
        datasetName: string;
        schemaTitle: string;
        classId: string;
        identityColumn: string;
        namespace: string;
        profile: boolean;
        profileConfirmed: boolean;
      };
  /** Null until the user edits one: the core proposes them. */
  mappings: MappingRow[] | null;
  /** The flow spec picked when several fit; empty for the only one. */
  flowSpecId: string;
  frequency: "once" | "minute" | "hour" | "day" | "week";
  interval: number;
  /** `datetime-local` text; empty for now. */
  start: string;
  backfill: boolean;
  deltaColumn: string;
  errorDiagnostics: boolean;
  /** Empty for off. */
  partialPercent: string;
};

export function buildPlan(c: Choices): DataflowPlan {
  const columns = c.columns
    .filter((col) => c.kept.includes(col.name))
    .map((col) => ({
      name: col.name,
      type: col.type,
      ...(col.xdmType ? { xdmType: col.xdmType } : {}),
    }));
  const target: DataflowPlan["target"] =
    c.target.kind === "existing"
      ? { kind: "existing", datasetId: c.target.datasetId }
      : {
          kind: "new",
          datasetName: c.target.datasetName,
          schemaTitle: c.target.schemaTitle,
          classId: c.target.classId,
          ...(c.target.identityColumn
            ? { identity: { column: c.target.identityColumn, namespace: c.target.namespace } }
            : {}),
          profile: c.target.profile,
          profileConfirmed: c.target.profileConfirmed,
        };
  const once = c.frequency === "once";
  const startTime = c.start ? Math.floor(new Date(c.start).getTime() / 1000) : undefined;
  const percent = Number(c.partialPercent);
  const source: DataflowPlan["source"] = c.files
    ? {
        kind: "files",
        path: c.files.objectType === "folder" ? folderOf(c.tablePath) : c.tablePath,
        objectType: c.files.objectType,
        recursive: c.files.objectType === "folder" && c.files.recursive,
        format: {
          format: c.files.format,
          ...(c.files.format === "delimited"
            ? { delimiter: c.files.delimiter || ",", encoding: c.files.encoding }
            : {}),
          ...(c.files.compression ? { compression: c.files.compression } : {}),
        },
        columns,
        previewFile: c.tablePath,
      }
    : { kind: "table", path: c.tablePath, columns };
  return {
    name: c.name.trim(),
    description: "",
    connectionId: c.connectionId,
    source,
    target,
    ...(c.mappings
      ? {
          mappings: c.mappings.filter(
            (m) => c.kept.includes(m.source) || m.sourceType !== "attribute",
          ),
        }
      : {}),
    schedule: {
      frequency: c.frequency,
      ...(once ? {} : { interval: c.interval, backfill: c.backfill }),
      ...(startTime !== undefined && Number.isFinite(startTime) ? { startTime } : {}),
    },
    ...(c.flowSpecId ? { flowSpecId: c.flowSpecId } : {}),
    ...(c.deltaColumn ? { deltaColumn: c.deltaColumn } : {}),
    errorDiagnostics: c.errorDiagnostics,
    ...(c.partialPercent.trim() && Number.isFinite(percent)
      ? { partialIngestionPercent: percent }
      : {}),
  };
}

/** The folder a file is in (the root's path is empty). */
export function folderOf(path: string): string {
  const at = path.lastIndexOf("/");
  return at <= 0 ? "/" : path.slice(0, at);
}

/** A timestamp column whose name says it changes with the row, else the first timestamp. */
export function proposedDelta(columns: Column[]): string {
  const timestamps = columns.filter((c) => (c.xdmType ?? c.type).toLowerCase() === "date-time");
  const telling = /modif|updat|changed|systemmodstamp/i;
  return (
    (timestamps.find((c) => telling.test(c.name.replace(/_/g, ""))) ?? timestamps[0])?.name ?? ""
  );
}

export type Advice = { sentence: string; action: "renew" | "mapping" | null };

/** What a run's errors most likely need. */
export function advice(run: Run): Advice | null {
  const text = run.errors
    .map((e) => `${e.code} ${e.message}`)
    .join(" ")
    .toLowerCase();
  if (!text.trim()) return null;
  if (/invalid_grant|expired|revoked|credential|unauthori|password|401/.test(text))
    return {
      sentence:
        "The source refused the connection's credentials. Update them, then the next run reads again.",
      action: "renew",
    };
  if (/mapper|mapping|convert|type/.test(text))
    return {
      sentence:
        "Some rows did not fit the schema. Go back to the mapping step to see the failing rows and change their mappings.",
      action: "mapping",
    };
  return { sentence: "Adobe reported the errors below; the run can be retried.", action: null };
}

/** Whether the run has ended, one way or the other. */
export function ended(run: Run): boolean {
  return /^(success|failed|cancelled|canceled)$/i.test(run.status);
}

/** The wait before the next read of a watched run: 5 s, growing by half to a minute. Never
 * less than 5 s, the most often Adobe is asked. */
export function nextDelay(previous: number | null): number {
  if (previous === null) return 5000;
  return Math.min(60000, Math.max(5000, Math.round(previous * 1.5)));
}

/** An object of a dataflow's chain, in words. */
export function objectLabel(object: ChainObject): string {
  const labels: Record<ChainObject, string> = {
    fieldGroup: "field group",
    schema: "schema",
    descriptor: "identity",
    dataset: "dataset",
    sourceConnection: "source connection",
    targetConnection: "target connection",
    mappingSet: "mapping set",
    flow: "dataflow",
  };
  return labels[object];
}

/** What a mapping row reads from, as the wizard and the new-version form offer it. */
export const SOURCE_KINDS: { value: SourceType; label: string }[] = [
  { value: "attribute", label: "Column" },
  { value: "expression", label: "Calculated" },
  { value: "static", label: "Constant" },
];

/** How often a dataflow runs, as the wizard and the schedule change offer it. */
export const FREQUENCIES: { value: Choices["frequency"]; label: string }[] = [
  { value: "once", label: "Once" },
  { value: "minute", label: "Every N minutes (15 or more)" },
  { value: "hour", label: "Every N hours" },
  { value: "day", label: "Every N days" },
  { value: "week", label: "Every N weeks" },
];
