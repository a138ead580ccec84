// The catalog the home screen lists: the built-in sources from the bundle at first, then the
// signed-in org's whole catalog (at once from the cache, then refreshed in the background).
import { catalogSources, refreshCatalog, searchCatalog } from "../../api/backend";
import { builtinSources } from "../../bindings/builtinSources";
import type { CatalogList } from "../../bindings/CatalogList";
import type { Source } from "../../bindings/Source";
import { messageOf } from "../accounts/session.svelte";

/** Whether `source` shows: in the category picked (any when empty) and among the sources the
 * search found (`null`: no search, every source). */
export function matches(
  source: Source,
  found: ReadonlySet<string> | null,
  category: string,
): boolean {
  if (category && source.category !== category) return false;
  return found === null || found.has(source.specId);
}

/** Milliseconds of quiet typing before the search is asked. */
const SEARCH_PAUSE = 120;

/** The catalog search. Which sources a query finds is core's rule, the same as
 * `flow-connect-cli sources list --search` (every word in the name, category, spec name or id),
 * so the backend answers it: after a pause in typing, never in the way of a keystroke, and
 * never for an empty query, so start-up asks nothing. */
export class CatalogSearch {
  /** The spec ids found for the last query answered; null for no query (every source). */
  found = $state.raw<readonly string[] | null>(null);
  /** The query `found` answers. */
  answered = $state("");
  private asked = 0;
  /** What the last call asked (account, list, words): the same is not asked twice. */
  private key = "";
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly pause: number;

  constructor(pause = SEARCH_PAUSE) {
    this.pause = pause;
  }

  /** Searches `query` among the account's catalog (the built-in sources without one) as
   * fetched at `listedAt`: a new list is searched again. Until the answer comes the last one
   * stays shown; an answer to an older query is dropped. */
  ask(query: string, accountId: string | null, listedAt: number | null): void {
    const words = query.trim();
    const key = words ? JSON.stringify([accountId, listedAt, words]) : "";
    if (key === this.key) return;
    this.key = key;
    clearTimeout(this.timer);
    const mine = ++this.asked;
    if (!words) {
      this.found = null;
      this.answered = "";
      return;
    }
    this.timer = setTimeout(() => {
      searchCatalog(accountId, words)
        .then((ids) => {
          if (mine !== this.asked) return;
          this.found = ids;
          this.answered = words;
        })
        .catch(() => {
          // The catalog stays usable: every source shows, as without a search; the same
          // query typed again asks again.
          if (mine !== this.asked) return;
          this.key = "";
          this.found = null;
          this.answered = "";
        });
    }, this.pause);
  }

  /** Stops a search still waiting for its pause. */
  stop(): void {
    clearTimeout(this.timer);
    this.asked++;
    this.key = "";
  }
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
