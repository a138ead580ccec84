// The UI's preferences (last screen, theme), kept by the backend in tauri-plugin-store. Their
// loss costs nothing, so a failed save is ignored. The theme is mirrored in localStorage only
// so the first frame is painted in it before the backend answers.
import { loadPreferences, savePreferences } from "../../api/backend";
import type { Preferences } from "../../bindings/Preferences";

export type ThemeChoice = "system" | "light" | "dark";
const MIRROR = "flow-connect-theme";

function isTheme(value: unknown): value is ThemeChoice {
  return value === "system" || value === "light" || value === "dark";
}

// None where the first screen is rendered at build time (ui/prerender.ts).
const darkQuery = import.meta.env.SSR ? null : window.matchMedia("(prefers-color-scheme: dark)");

class UiPreferences {
  saved = $state<Preferences>({ lastScreen: null, theme: null });
  theme = $state<ThemeChoice>(readMirror());
  /** Until read, nothing is saved over what is on disk. */
  loaded = $state(false);

  constructor() {
    darkQuery?.addEventListener("change", () => {
      this.apply();
    });
  }

  /** Paints the window in the chosen theme, or the OS's while the choice is "system". */
  apply(): void {
    const dark = this.theme === "dark" || (this.theme === "system" && darkQuery?.matches === true);
    document.documentElement.dataset.theme = dark ? "dark" : "light";
  }

  async load(): Promise<Preferences> {
    try {
      this.saved = await loadPreferences();
      const theme = isTheme(this.saved.theme) ? this.saved.theme : "system";
      if (theme !== this.theme) this.chooseTheme(theme, false);
    } catch {
      // The defaults stand.
    }
    this.loaded = true;
    return this.saved;
  }

  chooseTheme(theme: ThemeChoice, save = true): void {
    this.theme = theme;
    this.apply();
    try {
      localStorage.setItem(MIRROR, theme);
    } catch {
      // A mirror only.
    }
    if (save) this.update({ theme });
  }

  update(change: Partial<Preferences>): void {
    if (!this.loaded) return;
    this.saved = { ...this.saved, ...change };
    void savePreferences(this.saved).catch(() => undefined);
  }
}

function readMirror(): ThemeChoice {
  try {
    const value = localStorage.getItem(MIRROR);
    return isTheme(value) ? value : "system";
  } catch {
    return "system";
  }
}

export const preferences = new UiPreferences();
