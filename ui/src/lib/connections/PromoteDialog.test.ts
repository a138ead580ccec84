// Promote… with the backend mocked: a plan that needs a consent (a `{consent: true}` secret)
// keeps Apply off until the user has signed in for that connection, the sign-in is begun for
// the promotion's target, and the apply carries where the consent's tokens are, never a token.
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { flushSync, mount, unmount } from "svelte";
import { afterEach, beforeEach, expect, it, vi } from "vitest";

import type { Connection } from "../../bindings/Connection";
import type { PromotionPreview } from "../../bindings/PromotionPreview";
import { session } from "../accounts/session.svelte";
import PromoteDialog from "./PromoteDialog.svelte";

type Args = Record<string, unknown>;
let calls: { cmd: string; args: Args }[] = [];
let component: ReturnType<typeof mount> | undefined;

const connection = { id: "conn-1", name: "BigQuery marketing" } as Connection;
const stored = {
  set: "3f0c2a51-6a7e-4d1e-9d43-5b1f7f0b7c11",
  fields: ["clientSecret", "refreshToken"],
};

const preview: PromotionPreview = {
  manifest: "version: 1\n",
  secrets: [
    {
      connection: "BigQuery marketing",
      field: "clientSecret",
      from: "the profile “Google client”",
    },
    { connection: "BigQuery marketing", field: "refreshToken", from: "a consent" },
  ],
  plan: {
    environment: "target",
    sandbox: "prod",
    orgId: "ACME@AdobeOrg",
    changes: true,
    fingerprint: "0",
    items: [
      {
        kind: "connection",
        key: "bigquery-marketing",
        name: "BigQuery marketing",
        action: "create",
        existingId: null,
        changes: [],
        drift: [],
      },
    ],
    consents: [
      {
        connection: "bigquery-marketing",
        name: "BigQuery marketing",
        provider: "Google",
        fields: ["refreshToken"],
      },
    ],
  },
};

function button(text: string): HTMLButtonElement {
  const found = [...document.querySelectorAll("button")].find((b) => b.textContent.trim() === text);
  if (!found) throw new Error(`no button ${text}`);
  return found;
}

beforeEach(() => {
  calls = [];
  // The test DOM has no modal dialogs; the dialog only needs to be shown.
  Object.assign(HTMLDialogElement.prototype, {
    showModal(this: HTMLDialogElement) {
      this.open = true;
    },
    close(this: HTMLDialogElement) {
      this.open = false;
    },
  });
  session.accountId = "acct-1";
  session.sandbox = "dev";
  session.sandboxes = [
    { name: "dev", title: "Development" },
    { name: "prod", title: "Production" },
  ] as typeof session.sandboxes;
  mockIPC((cmd, args) => {
    calls.push({ cmd, args: (args ?? {}) as Args });
    switch (cmd) {
      case "plan_promotion":
        return preview;
      case "begin_promotion_consent":
        return {
          url: "https://accounts.google.com/o/oauth2/v2/auth?x=1",
          redirectUri: "",
          browserOpened: true,
          pasteOnly: null,
        };
      case "finish_promotion_consent":
        return { connection: "bigquery-marketing", stored, issued: null };
      case "plugin:event|listen":
        return 1;
      case "apply_promotion":
        return { environment: "target", sandbox: "prod", items: [] };
      default:
        return undefined;
    }
  });
});

afterEach(() => {
  if (component) void unmount(component);
  component = undefined;
  document.body.innerHTML = "";
  clearMocks();
});

it("keeps Apply off until the consent is run, then applies with where its tokens are", async () => {
  component = mount(PromoteDialog, { target: document.body, props: { connection, open: true } });
  flushSync();
  const target = document.getElementById("promote-to") as HTMLSelectElement;
  target.value = "prod";
  target.dispatchEvent(new Event("change", { bubbles: true }));
  flushSync();
  button("Plan the promotion").click();
  await vi.waitFor(() => {
    expect(document.body.textContent).toContain("takes refreshToken from a consent at Google");
  });
  expect(button("Apply to prod").disabled).toBe(true);

  button("Sign in at Google for “BigQuery marketing”").click();
  await vi.waitFor(() => {
    expect(document.body.textContent).toContain("signed in.");
  });
  const begun = calls.find((c) => c.cmd === "begin_promotion_consent")?.args.request as Args;
  expect(begun.connection).toBe("bigquery-marketing");
  expect((begun.promote as Args).toSandbox).toBe("prod");
  expect(button("Apply to prod").disabled).toBe(false);

  button("Apply to prod").click();
  await vi.waitFor(() => {
    expect(calls.some((c) => c.cmd === "apply_promotion")).toBe(true);
  });
  const applied = calls.find((c) => c.cmd === "apply_promotion")?.args.request as Args;
  expect(applied.consented).toEqual([{ connection: "bigquery-marketing", stored, issued: null }]);
});
