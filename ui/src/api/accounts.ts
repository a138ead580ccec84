// Adobe accounts: list, save, remove, sign in.
import { call } from "./ipc";
import type { Account } from "../bindings/Account";
import type { AccountRequest } from "../bindings/AccountRequest";
import type { SaveAccountRequest } from "../bindings/SaveAccountRequest";
import type { SignedIn } from "../bindings/SignedIn";

export function listAccounts(): Promise<Account[]> {
  return call<Account[]>("list_accounts");
}

export function saveAccount(account: Account, clientSecret: string | null): Promise<Account> {
  const request: SaveAccountRequest = { account, clientSecret };
  return call<Account>("save_account", { request });
}

/** Removes the account, its client secret in the keychain and its cached token. */
export function deleteAccount(id: string): Promise<void> {
  const request: AccountRequest = { accountId: id };
  return call<undefined>("delete_account", { request });
}

export function signIn(accountId: string): Promise<SignedIn> {
  const request: AccountRequest = { accountId };
  return call<SignedIn>("sign_in", { request });
}
