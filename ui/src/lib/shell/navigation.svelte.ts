// Which screen the window shows and what it is about: the source or profile in the form, the
// connection in the detail and renew screens, the account being edited. Every screen moves
// through here, so the shell, the home screen and the quick switcher open things the same way.
import { openProfile } from "../../api/backend";
import type { Account } from "../../bindings/Account";
import type { Connection } from "../../bindings/Connection";
import type { OpenedProfile } from "../../bindings/OpenedProfile";
import type { OriginView } from "../../bindings/OriginView";
import type { Source } from "../../bindings/Source";
import { messageOf, session } from "../accounts/session.svelte";
import { catalog } from "../catalog/catalog.svelte";
import { profiles } from "../profiles/profiles.svelte";
import type { Section } from "../ui/types";

export type View =
  | "home"
  | "form"
  | "connections"
  | "credentials"
  | "profiles"
  | "accounts"
  | "account"
  | "detail"
  | "renew";

/** The connection the detail and renew screens are about. */
export interface Detail {
  connection: Connection;
  origin: OriginView | null;
  first: "data" | "dataflows";
}

class Navigation {
  view = $state<View>("home");
  /** The rail's entry a screen belongs to. */
  readonly section = $derived<Section>(
    this.view === "form" || this.view === "home"
      ? "home"
      : this.view === "detail" || this.view === "renew" || this.view === "connections"
        ? "connections"
        : this.view === "profiles"
          ? "profiles"
          : this.view === "credentials"
            ? "credentials"
            : "accounts",
  );
  detail = $state<Detail | null>(null);
  // Rebuilds the detail screen for each connection opened.
  detailKey = $state(0);
  /** The account the account screen edits; null adds a new one. */
  editingAccount = $state<Account | null>(null);
  /** Where the account form returns: the screen it was opened from. */
  beforeAccount = $state<View>("accounts");
  selected = $state<Source | null>(null);
  opened = $state<OpenedProfile | null>(null);
  // Rebuilds the form for each source or profile opened.
  formKey = $state(0);
  openFailure = $state("");

  go(to: Section): void {
    this.view = to;
    this.openFailure = "";
  }

  openConnection(connection: Connection, origin: OriginView | null, first: Detail["first"]): void {
    this.detail = { connection, origin, first };
    this.detailKey += 1;
    this.view = "detail";
  }

  /** A connection belongs to its sandbox: switching away leaves its screens. */
  leaveConnection(): void {
    if (this.view === "detail" || this.view === "renew") this.view = "connections";
  }

  showAccount(account: Account | null): void {
    this.editingAccount = account;
    if (this.view !== "account") this.beforeAccount = this.view;
    this.view = "account";
  }

  startSource(source: Source): void {
    this.selected = source;
    this.opened = null;
    this.formKey += 1;
    this.view = "form";
  }

  /** Opens a profile in its source's form, in its account and sandbox when it names them. */
  async openSaved(id: string): Promise<void> {
    this.openFailure = "";
    try {
      const profile = await openProfile(id);
      const { accountId, sandbox } = profile.profile;
      if (
        accountId &&
        accountId !== session.accountId &&
        session.accounts.some((a) => a.id === accountId)
      ) {
        await session.use(accountId);
      }
      if (
        sandbox &&
        sandbox !== session.sandbox &&
        session.sandboxes.some((s) => s.name === sandbox)
      ) {
        await session.chooseSandbox(sandbox);
      }
      // Right after start the org's catalog may still be on its way from the cache.
      if (session.accountId) await catalog.show(session.accountId);
      const source = catalog.find(profile.profile.specId);
      if (!source) {
        throw new Error(
          "This profile's source is not in the catalog of the chosen account. Pick the account the profile was made with, or refresh the catalog.",
        );
      }
      this.selected = source;
      this.opened = profile;
      this.formKey += 1;
      this.view = "form";
      void profiles.refresh();
    } catch (error: unknown) {
      this.openFailure = messageOf(error);
    }
  }
}

export const navigation = new Navigation();
