// Removing an item from the queue, at once, with a few seconds to undo it.
//
// The removal is held back, not sent and then taken back: the item leaves this page at once,
// and the DELETE goes to the server only when the "Undo" has gone (or this page is hidden or
// left, when a removal nobody undid is sent straight away). Re-adding it on "Undo" would not be
// an undo under concurrency: the votes others gave it would be gone, it would come back as a
// new item added by whoever pressed "Undo", and a film someone added meanwhile would refuse it
// as a duplicate. Holding the removal back loses nothing, at an honest price: for those few
// seconds the others still see the item, because it is still in the queue. If the room moves
// on with it in the meantime (it is picked, or put on to watch), the removal is dropped and
// the person told why; if someone else removes it first, there is nothing left to do.
import { _, format } from "./i18n.js";
import { api } from "./api.js";
import { dismissToasts, showError, toast } from "./ui.js";

export const UNDO_SECONDS = 6;

const keyOf = (id) => `removal:${id}`;

export class Removals {
  constructor({ state, render, onRestored = () => {} }) {
    this.state = state;
    this.render = render;
    this.onRestored = onRestored;
    this.pending = new Map(); // item id -> { item, timer }
    window.addEventListener("pagehide", () => this.sendAll());
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "hidden") this.sendAll();
    });
  }

  remove(item) {
    if (!item || this.pending.has(item.id)) return;
    this.state.hiding.add(item.id);
    const timer = setTimeout(() => this.send(item.id), UNDO_SECONDS * 1000);
    this.pending.set(item.id, { item, timer });
    this.render();
    toast(format(_("Removed %(title)s."), { title: item.title }), {
      key: keyOf(item.id),
      seconds: UNDO_SECONDS,
      action: { label: _("Undo"), run: () => this.undo(item.id) },
    });
  }

  undo(id) {
    const pending = this.drop(id);
    if (!pending) return;
    this.render();
    toast(format(_("%(title)s is back in the queue."), { title: pending.item.title }), { key: keyOf(id) });
    this.onRestored(id);
  }

  drop(id) {
    const pending = this.pending.get(id);
    if (!pending) return null;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    this.state.hiding.delete(id);
    return pending;
  }

  // What the room did meanwhile (a change from room.js's events) may overtake a removal.
  follow(change) {
    const id = change.kind === "item" ? change.item.id : change.kind === "selection" && change.selection ? change.selection.item_id : null;
    if (!id || !this.pending.has(id)) return;
    if (change.kind === "item" && change.action === "removed") {
      this.drop(id);
      dismissToasts(keyOf(id));
      return;
    }
    const moved = change.kind === "selection" || (change.item.status && change.item.status !== "queued");
    if (!moved) return;
    const { item } = this.drop(id);
    this.render();
    const text =
      change.kind === "selection"
        ? _("%(title)s was just picked, so it was not removed.")
        : change.item.status === "watched"
          ? _("%(title)s was just marked watched, so it was not removed.")
          : _("%(title)s was just put on to watch, so it was not removed.");
    toast(format(text, { title: item.title }), { key: keyOf(id), kind: "error", seconds: 8 });
  }

  async send(id, { keepalive = false } = {}) {
    const pending = this.pending.get(id);
    if (!pending) return;
    clearTimeout(pending.timer);
    this.pending.delete(id);
    dismissToasts(keyOf(id));
    try {
      // The item stays hidden: the removal's event takes it out of the room's state.
      await api("DELETE", `/queue/${id}`, undefined, { keepalive });
    } catch (error) {
      this.state.hiding.delete(id);
      this.render();
      showError(error, { key: keyOf(id) });
    }
  }

  sendAll() {
    for (const id of [...this.pending.keys()]) this.send(id, { keepalive: true });
  }
}
