// What a source form starts with: every field of every sign-in method empty or at the spec's
// default, with an opened profile's values and stored secrets over them.
import type { OpenedProfile } from "../../bindings/OpenedProfile";
import type { Param } from "../../bindings/Param";
import type { Source } from "../../bindings/Source";
import type { StoredSecrets } from "../../bindings/StoredSecrets";

export interface FormStart {
  name: string;
  description: string;
  values: Record<string, string>;
  stored: StoredSecrets | null;
  profileId: string | null;
  profileName: string;
  note: string;
}

/** Every field of every method, empty or at the spec's default. */
export function blankValues(source: Source): Record<string, string> {
  const blank: Record<string, string> = {};
  const add = (params: Param[]): void => {
    for (const p of params) {
      blank[p.field] = p.default ?? "";
      if (p.kind.type === "connectionString") {
        for (const part of p.kind.parts) blank[part.field] = "";
      } else if (p.kind.type === "group") {
        add(p.kind.params);
      } else if (p.kind.type === "variants") {
        for (const variant of p.kind.variants) add(variant.params);
      }
    }
  };
  for (const m of source.authMethods) add(m.params);
  return blank;
}

/** The form's first state: blank, or the opened profile's; `name` names a blank form. */
export function formStart(source: Source, opened: OpenedProfile | null, name: string): FormStart {
  const blank = blankValues(source);
  if (!opened) {
    return {
      name,
      description: "",
      values: blank,
      stored: null,
      profileId: null,
      profileName: "",
      note: "",
    };
  }
  const { profile } = opened;
  return {
    name: profile.connectionName,
    description: profile.description,
    values: { ...blank, ...profile.values },
    stored: opened.stored.fields.length > 0 ? opened.stored : null,
    profileId: profile.id,
    profileName: profile.name,
    note:
      opened.missing.length > 0
        ? `Enter the secrets this profile needs: ${opened.missing.join(", ")}. They are not in your keychain yet.`
        : "",
  };
}
