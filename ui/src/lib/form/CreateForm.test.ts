// The source form with the backend mocked: errors appear next to the field the user touched,
// the Oracle connection string shows what the backend composed, the preview shows masked
// secrets only, a refused create keeps every value, and a key file is read by the backend.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { builtinSources } from "../../bindings/builtinSources";
import type { Source } from "../../bindings/Source";
import type { ConsentKind } from "../../bindings/ConsentKind";
import { session } from "../accounts/session.svelte";
import CreateForm from "./CreateForm.svelte";

// The catalog as the backend describes it, every param with its form field.
const catalog: Source[] = builtinSources;
const oracle = catalog.find((s) => s.displayName === "Oracle") as Source;
const serviceNow = catalog.find((s) => s.displayName === "ServiceNow") as Source;
const bigQuery = catalog.find((s) => s.displayName === "Google BigQuery") as Source;

type Args = Record<string, unknown>;
let calls: { cmd: string; args: Args }[] = [];
let component: ReturnType<typeof mount> | undefined;

function backend(handlers: Record<string, (args: Args) => unknown>): void {
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Args });
    const handler = handlers[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler((args ?? {}) as Args);
  });
}

function render(source: Source): void {
  component = mount(CreateForm, { target: document.body, props: { source, onback: () => {} } });
  flushSync();
}

function byLabel(text: string): HTMLInputElement {
  const label = [...document.querySelectorAll("label")].find(
    (l) => l.textContent.replace("*", "").trim() === text,
  );
  if (!label) throw new Error(`no label ${text}`);
  return document.getElementById(label.htmlFor) as HTMLInputElement;
}

function type(label: string, value: string): void {
  const input = byLabel(label);
  input.value = value;
  input.dispatchEvent(new Event("input", { bubbles: true }));
  flushSync();
}

function click(text: string): void {
  const button = [...document.querySelectorAll("button")].find(
    (b) => b.textContent.trim() === text,
  );
  if (!button) throw new Error(`no button ${text}`);
  button.click();
}

beforeEach(() => {
  calls = [];
  session.status = "signed-out";
  session.accountId = "";
  session.sandbox = "";
});

afterEach(() => {
  if (component) void unmount(component);
  component = undefined;
  document.body.innerHTML = "";
  clearMocks();
});

describe("validation", () => {
  it("shows the backend's reason next to a touched field and keeps the value", async () => {
    backend({
      validate_form: (args) => {
        const values = (args.request as Args).values as Record<string, string>;
        const errors =
          values.port === "99999"
            ? [
                { field: "port", message: "Port: Enter a port number from 1 to 65535." },
                { field: "sid", message: "SID is required." },
              ]
            : [];
        return { errors, warnings: [] };
      },
      compose_connection_string: () => "",
    });
    render(oracle);
    type("Port", "99999");

    await vi.waitFor(() => {
      expect(document.getElementById("field-port-error")?.textContent).toBe(
        "Port: Enter a port number from 1 to 65535.",
      );
    });
    // Untouched fields do not shout yet.
    expect(document.getElementById("field-sid-error")).toBeNull();
    expect(byLabel("Port").value).toBe("99999");
    expect(byLabel("Port").getAttribute("aria-describedby")).toContain("field-port-error");
  });
});

describe("Oracle composition", () => {
  it("shows the string the backend composed and sends it every part typed", async () => {
    backend({
      validate_form: () => ({ errors: [], warnings: [] }),
      compose_connection_string: (args) => {
        const v = (args.request as Args).values as Record<string, string>;
        return `Host=${v.host ?? ""};Port=${v.port ?? ""};Password=${v.password ? "••••••••" : ""}`;
      },
    });
    render(oracle);
    type("Host", "db.example");
    type("Port", "1521");
    type("Password", "tiger");

    await vi.waitFor(() => {
      expect(document.querySelector("output")?.textContent).toBe(
        "Host=db.example;Port=1521;Password=••••••••",
      );
    });
    const last = calls.filter((c) => c.cmd === "compose_connection_string").at(-1);
    expect((last?.args.request as Args | undefined)?.param).toBe("connectionString");
    expect(byLabel("Password").type).toBe("password");
  });
});

describe("preview masking and failures", () => {
  beforeEach(() => {
    session.status = "signed-in";
    session.accountId = "acct-1";
    session.sandbox = "prod";
  });

  it("shows the masked preview and never the typed secret", async () => {
    backend({
      load_source: () => serviceNow,
      validate_form: () => ({ errors: [], warnings: [] }),
      preview_connection: () => ({
        body: '{\n  "auth": { "params": { "password": "••••••••" } }\n}',
        curl: 'curl -X POST \\\n    -d \'{"password": "••••••••"}\'',
      }),
    });
    render(serviceNow);
    type("Connection name", "Now");
    type("Password", "hunter2-secret");
    click("Preview request");

    await vi.waitFor(() => {
      expect(document.querySelector(".preview")).not.toBeNull();
    });
    const shown = document.querySelector(".preview")?.textContent ?? "";
    expect(shown).toContain("••••••••");
    expect(shown).not.toContain("hunter2-secret");
    const request = calls.find((c) => c.cmd === "preview_connection")?.args.request as Args;
    expect(request.sandbox).toBe("prod");
    expect((request.values as Record<string, string>).password).toBe("hunter2-secret");
  });

  it("keeps every value when the create is refused", async () => {
    backend({
      load_source: () => serviceNow,
      validate_form: () => ({ errors: [], warnings: [] }),
      create_connection: () => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error -- Tauri rejects with the command's serialised {code, message}, not an Error.
        throw { code: "AdobeRejected", message: "Rejected (1415-400, HTTP 400). Pick another." };
      },
    });
    render(serviceNow);
    type("Connection name", "Now");
    type("User name", "platform");
    click("Create connection");

    await vi.waitFor(() => {
      expect(document.querySelector("[role='alert']")?.textContent).toContain("1415-400");
    });
    expect(byLabel("Connection name").value).toBe("Now");
    expect(byLabel("User name").value).toBe("platform");
  });
});

describe("which consent a sign-in method gets", () => {
  const bigQuery = catalog.find((s) => s.displayName === "Google BigQuery") as Source;

  /** BigQuery as another spec (id and key) whose methods' consent core set to `consent`. */
  function renamed(kind: "none" | "google"): Source {
    const consent: ConsentKind =
      kind === "google" ? { kind, scope: "https://www.googleapis.com/auth/bigquery" } : { kind };
    return {
      ...bigQuery,
      specId: "0c0ffee0-0000-4000-8000-000000000001",
      specKey: "warehouse",
      authMethods: bigQuery.authMethods.map((m) => ({ ...m, consent })),
    };
  }

  function signInButton(): HTMLButtonElement | undefined {
    return [...document.querySelectorAll("button")].find(
      (b) => b.textContent.trim() === "Sign in with Google",
    );
  }

  it("follows the method's consent from core, not the spec's key or params", async () => {
    backend({ validate_form: () => ({ errors: [], warnings: [] }) });
    render(renamed("google"));
    await vi.waitFor(() => {
      expect(signInButton()).toBeDefined();
    });
    if (component) void unmount(component);
    document.body.innerHTML = "";
    render({
      ...bigQuery,
      authMethods: bigQuery.authMethods.map((m) => ({ ...m, consent: { kind: "none" } })),
    });
    await vi.waitFor(() => {
      expect(document.getElementById("field-refreshToken")).not.toBeNull();
    });
    expect(signInButton()).toBeUndefined();
  });
});

describe("Google consent", () => {
  const bigQuery = catalog.find((s) => s.displayName === "Google BigQuery") as Source;
  const set = "consent/0b5e0b44-4c8a-4c38-9e0f-1a0c1f0f7f11";

  beforeEach(() => {
    session.status = "signed-in";
    session.accountId = "acct-1";
    session.sandbox = "prod";
  });

  it("marks the refresh token as set, not missing, and creates with the stored set", async () => {
    backend({
      load_source: () => bigQuery,
      validate_form: (args) => ({
        errors: ((args.request as Args).values as Record<string, string>).refreshToken
          ? []
          : [{ field: "refreshToken", message: "Refresh token is required." }],
        warnings: [],
      }),
      begin_consent: () => ({
        url: "https://accounts.example/auth?x=1",
        redirectUri: "http://127.0.0.1:1/",
        browserOpened: true,
        pasteOnly: null,
      }),
      finish_consent: () => ({
        stored: { set, fields: ["refreshToken"] },
        expirationDate: null,
        scopes: ["https://www.googleapis.com/auth/bigquery"],
      }),
      create_connection: () => ({ id: "c-1", etag: '"e"' }),
    });
    render(bigQuery);
    type("Connection name", "BQ");
    type("Client ID", "1.apps.googleusercontent.com");
    type("Client secret", "GOCSPX-typed");
    type("Refresh token", "");
    click("Sign in with Google");

    await vi.waitFor(() => {
      expect(document.getElementById("field-refreshToken-stored")?.textContent).toContain(
        "Refresh token: set",
      );
    });
    const begun = calls.find((c) => c.cmd === "begin_consent")?.args.request as Args;
    expect(begun).toMatchObject({
      specId: bigQuery.specId,
      provider: null,
      clientId: "1.apps.googleusercontent.com",
      redirectUri: null,
      stored: null,
    });
    await vi.waitFor(() => {
      expect(document.getElementById("field-refreshToken-error")).toBeNull();
    });
    click("Create connection");
    await vi.waitFor(() => {
      expect(calls.some((c) => c.cmd === "create_connection")).toBe(true);
    });
    const request = calls.find((c) => c.cmd === "create_connection")?.args.request as Args;
    expect(request.stored).toEqual({ set, fields: ["refreshToken"] });
    expect((request.values as Record<string, string>).refreshToken).toBe("");
  });
});

describe("key files", () => {
  it("has the backend read the service account key: the page holds only the file's name", async () => {
    backend({
      validate_form: () => ({ errors: [], warnings: [] }),
      compose_connection_string: () => "",
      import_key_file: () => ({
        stored: { set: "form/1", fields: ["keyFileContent"] },
        fileName: "sa-key.json",
      }),
    });
    render(bigQuery);
    const method = byLabel("Sign-in method") as unknown as HTMLSelectElement;
    method.value = "Service Authentication";
    method.dispatchEvent(new Event("change", { bubbles: true }));
    flushSync();
    expect(document.querySelector("input[type='file']")).toBeNull();
    const choose = byLabel("Service account key file");
    expect(choose.tagName).toBe("BUTTON");
    choose.click();

    await vi.waitFor(() => {
      expect(document.body.textContent).toContain("sa-key.json read");
    });
    const call = calls.find((c) => c.cmd === "import_key_file");
    expect(call?.args.request).toMatchObject({ field: "keyFileContent", stored: null, path: null });
    expect(document.getElementById("field-keyFileContent-stored")?.textContent).toContain(
      "kept in your keychain",
    );
  });
});
