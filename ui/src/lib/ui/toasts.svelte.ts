// Results and background completions, shown for a while in the corner with the next action.
export type Toast = {
  id: number;
  message: string;
  kind: "success" | "error" | "info";
  action?: { label: string; run: () => void };
};

/** Long enough to read a sentence and reach its button. */
const SHOWN_MS = 8000;

class Toasts {
  list = $state<Toast[]>([]);
  private next = 1;

  show(message: string, kind: Toast["kind"] = "success", action?: Toast["action"]): void {
    const id = this.next++;
    // Five at most: an older one gives way.
    this.list = [...this.list.slice(-4), { id, message, kind, action }];
    setTimeout(() => {
      this.dismiss(id);
    }, SHOWN_MS);
  }

  dismiss(id: number): void {
    this.list = this.list.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
