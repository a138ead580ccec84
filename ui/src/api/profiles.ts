// Saved profiles: list, save, open, rename, duplicate, delete, export, import, their secrets.
import { call } from "./ipc";
import type { ExportProfilesRequest } from "../bindings/ExportProfilesRequest";
import type { Exported } from "../bindings/Exported";
import type { ImportProfilesRequest } from "../bindings/ImportProfilesRequest";
import type { OpenedProfile } from "../bindings/OpenedProfile";
import type { Profile } from "../bindings/Profile";
import type { ProfileDraft } from "../bindings/ProfileDraft";
import type { ProfileList } from "../bindings/ProfileList";
import type { ProfileListRequest } from "../bindings/ProfileListRequest";
import type { ProfileRequest } from "../bindings/ProfileRequest";
import type { RenameProfileRequest } from "../bindings/RenameProfileRequest";
import type { SavedProfile } from "../bindings/SavedProfile";
import type { StoredSecrets } from "../bindings/StoredSecrets";

export function listProfiles(query: string, limit: number): Promise<ProfileList> {
  const request: ProfileListRequest = { query, limit };
  return call<ProfileList>("list_profiles", { request });
}

/** The saved profile, with `stored`: the reference to its own secret set. */
export function saveProfile(draft: ProfileDraft): Promise<SavedProfile> {
  const request: ProfileDraft = draft;
  return call<SavedProfile>("save_profile", { request });
}

export function openProfile(id: string): Promise<OpenedProfile> {
  const request: ProfileRequest = { id };
  return call<OpenedProfile>("open_profile", { request });
}

export function renameProfile(id: string, name: string): Promise<Profile> {
  const request: RenameProfileRequest = { id, name };
  return call<Profile>("rename_profile", { request });
}

export function duplicateProfile(id: string): Promise<Profile> {
  const request: ProfileRequest = { id };
  return call<Profile>("duplicate_profile", { request });
}

export function deleteProfile(id: string): Promise<void> {
  const request: ProfileRequest = { id };
  return call<undefined>("delete_profile", { request });
}

/** Asks where to save, then writes the export there; null when the user cancelled. */
export function exportProfiles(ids: string[]): Promise<Exported | null> {
  const request: ExportProfilesRequest = { ids };
  return call<Exported | null>("export_profiles", { request });
}

/** Imports the export at `path` (a dropped file), or asks for one in the OS's open dialog
 * when `path` is null; null when the user cancelled. */
export function importProfiles(path: string | null): Promise<Profile[] | null> {
  const request: ImportProfilesRequest = { path };
  return call<Profile[] | null>("import_profiles", { request });
}

export function discardSecrets(stored: StoredSecrets): Promise<void> {
  const request: StoredSecrets = stored;
  return call<undefined>("discard_secrets", { request });
}
