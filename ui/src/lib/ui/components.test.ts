// The shared components' own behaviour: a table sorts by the header clicked and turns the order
// round on a second click; a menu opens on its button, moves with the arrow keys, closes with
// Esc and gives focus back.
import { flushSync, mount, unmount } from "svelte";
import { afterEach, describe, expect, it, vi } from "vitest";

import MenuHarness from "./MenuHarness.test.svelte";
import TableHarness from "./TableHarness.test.svelte";

let component: ReturnType<typeof mount> | undefined;

afterEach(() => {
  if (component) void unmount(component);
  component = undefined;
  document.body.innerHTML = "";
});

function names(): string[] {
  return [...document.querySelectorAll("tbody tr td:first-child")].map((td) =>
    td.textContent.trim(),
  );
}

function key(target: Element, name: string): void {
  target.dispatchEvent(new KeyboardEvent("keydown", { key: name, bubbles: true }));
  flushSync();
}

describe("Table", () => {
  it("sorts by the clicked header, then the other way round", () => {
    component = mount(TableHarness, { target: document.body });
    flushSync();
    expect(names()).toEqual(["beta", "alpha", "gamma"]);
    const header = [...document.querySelectorAll("th button")].find((b) =>
      b.textContent.includes("Name"),
    ) as HTMLButtonElement;
    header.click();
    flushSync();
    expect(names()).toEqual(["alpha", "beta", "gamma"]);
    expect(header.closest("th")?.getAttribute("aria-sort")).toBe("ascending");
    header.click();
    flushSync();
    expect(names()).toEqual(["gamma", "beta", "alpha"]);
    expect(header.closest("th")?.getAttribute("aria-sort")).toBe("descending");
  });
});

describe("Menu", () => {
  it("opens, moves with the arrow keys, chooses with a click and closes with Esc", () => {
    const chosen = vi.fn();
    component = mount(MenuHarness, { target: document.body, props: { chosen } });
    flushSync();
    const trigger = document.querySelector("[aria-haspopup=menu]") as HTMLButtonElement;
    expect(trigger.getAttribute("aria-label")).toBe("Actions for profile Acme");
    expect(document.querySelector("[role=menu]")).toBeNull();

    trigger.click();
    flushSync();
    const items = [...document.querySelectorAll<HTMLButtonElement>("[role=menuitem]")];
    expect(items.map((i) => i.textContent)).toEqual(["Rename", "Delete"]);
    expect(trigger.getAttribute("aria-expanded")).toBe("true");

    const menu = document.querySelector("[role=menu]") as HTMLElement;
    items[0]?.focus();
    key(menu, "ArrowDown");
    expect(document.activeElement).toBe(items[1]);
    key(menu, "ArrowDown");
    expect(document.activeElement).toBe(items[0]);
    key(menu, "Escape");
    expect(document.querySelector("[role=menu]")).toBeNull();
    expect(document.activeElement).toBe(trigger);
    expect(chosen).not.toHaveBeenCalled();

    trigger.click();
    flushSync();
    (
      document.querySelectorAll<HTMLButtonElement>("[role=menuitem]")[1] as HTMLButtonElement
    ).click();
    flushSync();
    expect(chosen).toHaveBeenCalledWith("Delete");
    expect(document.querySelector("[role=menu]")).toBeNull();
  });
});
