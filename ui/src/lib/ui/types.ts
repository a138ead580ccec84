// The shapes the shared components take, in a module of their own so every screen (and the
// linter's type checker) reads them without parsing a component.

/** A column of a Table: `compare` makes it sortable; `hidden` shows its header to screen
 * readers only (a column of menus). */
export type Column<Row> = {
  key: string;
  label: string;
  compare?: (a: Row, b: Row) => number;
  hidden?: boolean;
};

/** One entry of a row's actions Menu. */
export type MenuItem = { label: string; onselect: () => void; danger?: boolean };

/** The screens of the navigation rail. */
export type Section = "home" | "connections" | "credentials" | "profiles" | "accounts";
