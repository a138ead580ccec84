// The state one source form shares with its parts: the values typed, the secrets kept in the
// keychain, the consent's token, which fields were touched, what the form is busy with, and the
// backend's check of it all as the user types. The create and renew forms each make one and
// hand it to their parts, which read and write it here instead of through two-way binds.
import {
  BackendError,
  composeConnectionString,
  discardSecrets,
  importKeyFile,
  loadSource,
  onFileDrop,
  validateForm,
} from "../../api/backend";
import type { ConsentResult } from "../../bindings/ConsentResult";
import type { FieldError } from "../../bindings/FieldError";
import type { KeyFormRequest } from "../../bindings/KeyFormRequest";
import type { MintedCredential } from "../../bindings/MintedCredential";
import type { SignedCredential } from "../../bindings/SignedCredential";
import type { Source } from "../../bindings/Source";
import type { StoredSecrets } from "../../bindings/StoredSecrets";
import type { TokenIssue } from "../../bindings/TokenIssue";
import { messageOf, session } from "../accounts/session.svelte";

/** What the form is doing: a preview, a create or renew, or a test of the new connection. */
export type Busy = "" | "preview" | "create" | "test";

export class FormState {
  readonly source: Source;
  /** A renewal keeps the connection's own sign-in method: its params are what PATCH replaces. */
  readonly keepMethod: boolean;
  /** The live connection spec of the signed-in org, once loaded; the built-in entry until then. */
  live = $state<Source | null>(null);
  specName = $state("");
  // Keyed by param name, so values shared by two methods (such as host) survive a switch.
  values = $state<Record<string, string>>({});
  // Secret fields whose values are in the keychain (tokens from a consent), not in `values`.
  stored = $state<StoredSecrets | null>(null);
  /** When the form's refresh token was issued: by a consent here, or the profile's. */
  token = $state<TokenIssue | null>(null);
  /** The JWT signed in this form: its claims, end and renewal set, recorded at create. */
  signed = $state<SignedCredential | null>(null);
  /** The access token minted in this form with client credentials, recorded at create. */
  minted = $state<MintedCredential | null>(null);
  /** When the client secret ends (yyyy-mm-dd), if the user entered it, for the expiry radar. */
  secretEndsOn = $state("");
  touched = $state<Record<string, boolean>>({});
  busy = $state<Busy>("");
  errors = $state<FieldError[]>([]);
  /** Accepted but unwise values (a plain http:// address carrying credentials). */
  warnings = $state<FieldError[]>([]);
  composed = $state("");
  problem = $state("");
  /** Why the last key file picked for a field was refused, until another is picked. */
  fileFailures = $state<Record<string, string>>({});
  /** The name of the key file read for each file field. */
  fileNames = $state<Record<string, string>>({});
  private timer: ReturnType<typeof setTimeout> | undefined;

  // Read lazily: the source is set in the constructor, after the fields.
  readonly current = $derived.by(() => this.live ?? this.source);
  readonly scope = $derived(session.ready ? session.accountId : null);
  readonly method = $derived(
    this.current.authMethods.find((m) => m.specName === this.specName) ??
      this.current.authMethods[0],
  );
  readonly visibleParams = $derived(this.method ? this.method.params.filter((p) => !p.hidden) : []);

  constructor(
    source: Source,
    start: { specName: string; values: Record<string, string>; stored: StoredSecrets | null },
    keepMethod: boolean,
  ) {
    this.source = source;
    this.keepMethod = keepMethod;
    this.specName = start.specName;
    this.values = start.values;
    this.stored = start.stored;
  }

  /** Loads the org's live spec of the source; run in an effect, so a new account or sandbox
   * loads it again. */
  loadLive(): void {
    if (!session.ready) return;
    const [accountId, sandbox] = [session.accountId, session.sandbox];
    void loadSource(accountId, sandbox, this.source.specId)
      .then((loaded) => {
        const label = this.method?.label;
        this.live = loaded;
        if (!this.keepMethod && !loaded.authMethods.some((m) => m.specName === this.specName)) {
          this.specName =
            loaded.authMethods.find((m) => m.label === label)?.specName ??
            loaded.authMethods[0]?.specName ??
            "";
        }
        void this.check();
      })
      .catch((error: unknown) => {
        this.problem = messageOf(error);
      });
  }

  isStored = (field: string): boolean =>
    (this.stored?.fields.includes(field) ?? false) && !this.values[field];

  warningFor = (field: string): string =>
    this.warnings.find((e) => e.field === field)?.message ?? "";

  errorFor = (field: string): string => {
    if (this.fileFailures[field]) return this.fileFailures[field];
    if (!this.touched[field]) return "";
    return this.errors.find((e) => e.field === field)?.message ?? "";
  };

  fileNameOf = (field: string): string => this.fileNames[field] ?? "";

  /** A field was edited: checked again once the user pauses. */
  changed = (field: string): void => {
    this.touched[field] = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), 150);
  };

  /** Has the backend read the key file for `field`: the dropped one at `path`, else one the
   * user picks in the OS's open dialog. Its content goes to the keychain and the field shows
   * as stored. */
  pickFile = async (field: string, path: string | null = null): Promise<void> => {
    try {
      const held = this.stored ? $state.snapshot(this.stored) : null;
      const picked = await importKeyFile(this.source.specId, field, held, path);
      if (!picked) return;
      this.stored = picked.stored;
      this.values[field] = "";
      this.fileFailures[field] = "";
      this.fileNames[field] = picked.fileName;
      this.changed(field);
    } catch (error: unknown) {
      this.touched[field] = true;
      this.fileFailures[field] = messageOf(error);
    }
  };

  /** The values with each stored, untyped field given a stand-in: secret parts are masked in
   * the composed string whatever they hold, so it shows them as present without the value. */
  private withStoredMarked(snapshot: Record<string, string>): Record<string, string> {
    const marked = { ...snapshot };
    for (const field of this.stored?.fields ?? []) if (!marked[field]) marked[field] = "stored";
    return marked;
  }

  check = async (): Promise<void> => {
    const current = this.method;
    if (!current) return;
    const snapshot = $state.snapshot(this.values);
    const specId = this.source.specId;
    try {
      // A field left empty because its value is in the keychain is not missing.
      const checked = await validateForm(this.scope, specId, current.specName, snapshot);
      this.errors = checked.errors.filter((e) => !this.isStored(e.field));
      this.warnings = checked.warnings;
      const connectionString = current.params.find((p) => p.kind.type === "connectionString");
      this.composed = connectionString
        ? await composeConnectionString(
            this.scope,
            specId,
            current.specName,
            connectionString.name,
            this.withStoredMarked(snapshot),
          )
        : "";
      this.problem = "";
    } catch (error: unknown) {
      this.problem = error instanceof BackendError ? error.message : String(error);
    }
  };

  /** A finished consent, taken into the form: the keychain set, the token fields emptied
   * (a typed value would win over the stored one), the values that are not secret, the access
   * token's expiry date where the form has such a field, and when the token was issued. */
  takeConsent = (result: ConsentResult): void => {
    this.stored = result.stored;
    for (const field of result.stored.fields) this.values[field] = "";
    for (const filled of result.values) this.values[filled.param] = filled.value;
    if (result.expirationDate !== null) this.values.expirationDate = result.expirationDate;
    if (result.issued) this.token = result.issued;
    void this.check();
  };

  /** The form as the core's key-material doors read it. */
  keyRequest = (): KeyFormRequest => ({
    accountId: session.accountId,
    specId: this.source.specId,
    specName: this.method?.specName ?? "",
    values: $state.snapshot(this.values),
    ...(this.stored ? { stored: $state.snapshot(this.stored) } : {}),
  });

  /** Key material the core put into the keychain for this form's `field`: the field is
   * emptied, since a typed value would win over the stored one. */
  takeStored = (stored: StoredSecrets, field: string): void => {
    this.stored = stored;
    this.values[field] = "";
    void this.check();
  };

  /** The client secret's end, in milliseconds, or none. */
  readonly secretExpiresAt = $derived(
    this.secretEndsOn ? Date.parse(`${this.secretEndsOn}T00:00:00Z`) || null : null,
  );

  switchMethod = (): void => {
    this.touched = {};
    void this.check();
  };

  /** Checks the form once and fills a file field from a key file dropped on the window; the
   * returned function stops that and discards what the form kept in the keychain. */
  attach(): () => void {
    void this.check();
    let stopDrops: (() => void) | undefined;
    let gone = false;
    void onFileDrop(
      (paths) => {
        const field = this.visibleParams.find((p) => p.kind.type === "fileBase64")?.field;
        if (field && paths[0]) void this.pickFile(field, paths[0]);
      },
      () => undefined,
    )
      .then((unlisten) => {
        if (gone) unlisten();
        else stopDrops = unlisten;
      })
      .catch(() => undefined);
    return () => {
      gone = true;
      stopDrops?.();
      clearTimeout(this.timer);
      // What this form kept in the keychain by reference goes with it; core never discards a
      // profile's own set, so the form need not tell them apart.
      const held = this.stored ? $state.snapshot(this.stored) : null;
      if (held) void discardSecrets(held).catch(() => undefined);
    };
  }
}
