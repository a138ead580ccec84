// Who the user is signed in as and where: the chosen account and sandbox, shared by every
// screen. Only this module changes it.
import { BackendError, deleteAccount, listAccounts, saveAccount, signIn } from "../../api/backend";
import type { Account } from "../../bindings/Account";
import type { Sandbox } from "../../bindings/Sandbox";

export { DEFAULT_SCOPES } from "../../bindings/constants";

class Session {
  accounts = $state<Account[]>([]);
  accountId = $state("");
  sandboxes = $state<Sandbox[]>([]);
  sandbox = $state("");
  status = $state<"signed-out" | "signing-in" | "signed-in" | "failed">("signed-out");
  error = $state("");
  loaded = $state(false);

  get ready(): boolean {
    return this.status === "signed-in" && this.sandbox !== "";
  }

  get account(): Account | undefined {
    return this.accounts.find((a) => a.id === this.accountId);
  }

  async load(): Promise<void> {
    try {
      this.accounts = await listAccounts();
    } catch (error: unknown) {
      this.error = messageOf(error);
    }
    this.loaded = true;
    const first = this.accounts[0];
    if (first) await this.use(first.id);
  }

  async use(accountId: string): Promise<void> {
    this.accountId = accountId;
    this.sandboxes = [];
    this.sandbox = "";
    this.status = "signing-in";
    this.error = "";
    try {
      const signedIn = await signIn(accountId);
      this.sandboxes = signedIn.sandboxes;
      this.sandbox = signedIn.preselected ?? "";
      this.status = "signed-in";
    } catch (error: unknown) {
      this.status = "failed";
      this.error = messageOf(error);
    }
  }

  /** Switches sandbox and remembers it as the account's default for next time. */
  async chooseSandbox(name: string): Promise<void> {
    this.sandbox = name;
    const account = this.account;
    if (!account || account.defaultSandbox === name) return;
    try {
      // No secret: the one in the keychain stays.
      const saved = await saveAccount({ ...account, defaultSandbox: name }, null);
      this.accounts = this.accounts.map((a) => (a.id === saved.id ? saved : a));
    } catch (error: unknown) {
      this.error = messageOf(error);
    }
  }

  /** Adds an account, or edits one (`account.id` set; an empty secret keeps the stored one),
   * then signs in with what was saved. */
  async add(account: Account, clientSecret: string): Promise<void> {
    const saved = await saveAccount(account, clientSecret === "" ? null : clientSecret);
    const known = this.accounts.some((a) => a.id === saved.id);
    this.accounts = known
      ? this.accounts.map((a) => (a.id === saved.id ? saved : a))
      : [...this.accounts, saved];
    await this.use(saved.id);
  }

  /** Removes an account; the next one (if any) is signed in instead. */
  async remove(id: string): Promise<void> {
    await deleteAccount(id);
    this.accounts = this.accounts.filter((a) => a.id !== id);
    if (this.accountId !== id) return;
    const next = this.accounts[0];
    if (next) {
      await this.use(next.id);
    } else {
      this.accountId = "";
      this.sandboxes = [];
      this.sandbox = "";
      this.status = "signed-out";
    }
  }
}

export function messageOf(error: unknown): string {
  return error instanceof BackendError ? error.message : String(error);
}

export const session = new Session();
