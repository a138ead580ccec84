// The saved profiles as the Profiles screen, the home screen and the quick switcher show them. Listing reads no secret,
// so it is refreshed freely after every change.
import {
  deleteProfile,
  duplicateProfile,
  exportProfiles,
  importProfiles,
  listProfiles,
  renameProfile,
  takeNotices,
} from "../../api/backend";
import type { MovedEndpoint } from "../../bindings/MovedEndpoint";
import type { Profile } from "../../bindings/Profile";
import { messageOf } from "../accounts/session.svelte";
import { toasts } from "../ui/toasts.svelte";

function plural(count: number): string {
  return `${String(count)} profile${count === 1 ? "" : "s"}`;
}

/** Profiles shown at a time; "Show more" adds as many again. */
const PAGE = 30;

class Profiles {
  list = $state<Profile[]>([]);
  /** How many match the search in all, shown or not. */
  total = $state(0);
  limit = $state(PAGE);
  query = $state("");
  /** A message for the user: the file was set aside, an export was written, a failure. */
  notice = $state("");
  loaded = $state(false);
  /** The endpoints a `FLOW_CONNECT_*_URL` moved: the window keeps a banner while any is. They
   * come with the notices, so the banner costs no call of its own at start. */
  movedEndpoints = $state.raw<MovedEndpoint[]>([]);
  /** Told of each notice the backend gives, so the window can show it on any screen. */
  onnotice: ((notice: string) => void) | null = null;

  async refresh(): Promise<void> {
    try {
      const found = await listProfiles(this.query, this.limit);
      this.list = found.profiles;
      this.total = found.total;
    } catch (error: unknown) {
      this.notice = messageOf(error);
    }
    this.loaded = true;
  }

  async load(): Promise<void> {
    await this.takeNotices();
    await this.refresh();
  }

  /** Shows what the backend has to say, such as "the profiles file was written by a newer
   * Flow Connect": at start, when the window gets the focus back (the CLI or another version
   * may have written meanwhile), and after a save failed. */
  async takeNotices(): Promise<void> {
    const told = await takeNotices().catch(() => null);
    if (!told) return;
    this.movedEndpoints = told.movedEndpoints;
    const notice = told.notice;
    if (!notice) return;
    this.notice = notice;
    this.onnotice?.(notice);
  }

  async showMore(): Promise<void> {
    this.limit += PAGE;
    await this.refresh();
  }

  async rename(id: string, name: string): Promise<boolean> {
    return this.run(() => renameProfile(id, name));
  }

  async duplicate(id: string): Promise<boolean> {
    return this.run(() => duplicateProfile(id));
  }

  async remove(id: string): Promise<boolean> {
    return this.run(() => deleteProfile(id));
  }

  /** Asks where to save, then exports; the result is a toast. */
  async export(ids: string[]): Promise<void> {
    try {
      const done = await exportProfiles(ids);
      if (done) {
        toasts.show(`Exported ${plural(done.count)} without secrets to ${done.path}.`, "success");
      }
    } catch (error: unknown) {
      this.notice = messageOf(error);
    }
  }

  /** Imports a dropped file, or one picked in the open dialog when `path` is null. */
  async import(path: string | null): Promise<boolean> {
    try {
      const added = await importProfiles(path);
      if (!added) return false;
      toasts.show(`Imported ${plural(added.length)}. Open one to enter its secrets.`, "success");
      await this.refresh();
      return true;
    } catch (error: unknown) {
      this.notice = messageOf(error);
      await this.takeNotices();
      return false;
    }
  }

  private async run(change: () => Promise<unknown>): Promise<boolean> {
    try {
      await change();
      await this.refresh();
      return true;
    } catch (error: unknown) {
      this.notice = messageOf(error);
      await this.takeNotices();
      return false;
    }
  }
}

export const profiles = new Profiles();
