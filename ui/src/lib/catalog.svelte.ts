// The catalog the home screen lists: the built-in sources from the bundle at first, then the
// signed-in org's whole catalog (at once from the cache, then refreshed in the background).
import { catalogSources, refreshCatalog } from "../api/backend";
import { builtinSources } from "../bindings/builtinSources";
import type { CatalogList } from "../bindings/CatalogList";
import type { Source } from "../bindings/Source";
import { messageOf } from "./session.svelte";

/** The words of a search, each of which must be in a source's name, category or spec name. */
export function matches(source: Source, query: string, category: string): boolean {
  if (category && source.category !== category) return false;
  const haystack =
    `${source.displayName} ${source.category} ${source.specKey} ${source.specId}`.toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .every((word) => haystack.includes(word));
}

class Catalog {
  sources = $state.raw<Source[]>(builtinSources);
  /** When the shown list was fetched (ms since 1970); null while only the built-ins show. */
  refreshedAt = $state<number | null>(null);
  refreshing = $state(false);
  error = $state("");
  private shownFor = "";
  private refreshedFor = "";
  private showing: Promise<void> = Promise.resolve();

  /** Shows the account's catalog as last fetched; never waits on the network. Resolves once
   * it shows (a second call for the same account waits for the first). */
  show(accountId: string): Promise<void> {
    if (!accountId || this.shownFor === accountId) return this.showing;
    this.shownFor = accountId;
    // Another account's list is no measure of this one's age.
    this.refreshedAt = null;
    this.showing = this.load(accountId);
    return this.showing;
  }

  private async load(accountId: string): Promise<void> {
    try {
      const list = await catalogSources(accountId);
      if (this.shownFor !== accountId) return;
      this.apply(list);
    } catch (error: unknown) {
      this.error = messageOf(error);
    }
  }

  /** Fetches the whole catalog once per account and start, unless `again`. */
  async refresh(accountId: string, sandbox: string, again = false): Promise<void> {
    if (!again && this.refreshedFor === accountId) return;
    this.refreshedFor = accountId;
    this.refreshing = true;
    this.error = "";
    try {
      const list = await refreshCatalog(accountId, sandbox);
      if (this.shownFor !== accountId) return;
      this.apply(list);
    } catch (error: unknown) {
      this.error = messageOf(error);
    } finally {
      this.refreshing = false;
    }
  }

  /** Back to the built-in sources: no account is chosen any more. */
  reset(): void {
    this.shownFor = "";
    this.refreshedFor = "";
    this.sources = builtinSources;
    this.refreshedAt = null;
    this.error = "";
  }

  private apply(list: CatalogList): void {
    // A cache read answering after a refresh must not bring the older list back.
    if (this.refreshedAt !== null && (list.refreshedAt ?? 0) < this.refreshedAt) return;
    // The benchmark measures from here to the rendered catalog (Catalog.svelte).
    performance.mark("catalog-list");
    this.sources = list.sources;
    this.refreshedAt = list.refreshedAt;
  }

  find(specId: string): Source | undefined {
    return this.sources.find((s) => s.specId === specId);
  }
}

export const catalog = new Catalog();
