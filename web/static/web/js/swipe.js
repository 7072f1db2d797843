// Swipe to vote: the items this member has not voted on yet, one card at a time. A drag to the
// right (or the Up button, or the right arrow key) votes up, to the left votes down; Undo takes
// back the last one. Each vote goes through the room's own vote function, so it shows at once
// everywhere on the page and is put back, in words, if the server refuses it.
import { _, format } from "./i18n.js";
import { announce, h, itemFacts, poster } from "./ui.js";

// How far a card must travel, as a share of its width (at most MAX_THRESHOLD_PX), to count.
const THRESHOLD_SHARE = 0.3;
const MAX_THRESHOLD_PX = 120;
const reduceMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

export class SwipeDeck {
  // vote(item, value) -> Promise<boolean>: sets this member's vote ("up", "down" or null).
  // onDone(): the member asks to go back to the list.
  constructor(root, { state, vote, onDone }) {
    this.root = root;
    this.state = state;
    this.vote = vote;
    this.onDone = onDone;
    this.stack = root.querySelector("#swipe-stack");
    this.on = false;
    this.order = []; // item ids in the order the deck meets them: a card keeps its place
    this.undos = []; // [{ itemId, title, before }], the last one last
    this.card = null;
    this.cardKey = null;
    this.wire();
  }

  wire() {
    this.root.querySelector("#swipe-up").addEventListener("click", () => this.decide("up"));
    this.root.querySelector("#swipe-down").addEventListener("click", () => this.decide("down"));
    this.root.querySelector("#swipe-undo").addEventListener("click", () => this.undo());
    this.root.querySelector("#swipe-back").addEventListener("click", () => this.onDone());
    document.addEventListener("keydown", (event) => {
      if (!this.on || event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) return;
      if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
      // Arrows keep their meaning in fields, radio groups and dialogs.
      if (document.querySelector("dialog[open]") || event.target.closest("input, select, textarea, [contenteditable], summary, details[open]")) return;
      event.preventDefault();
      this.decide(event.key === "ArrowRight" ? "up" : "down");
    });
  }

  open() {
    this.on = true;
    this.order = this.state.queued().map((item) => item.id);
    this.undos = [];
    this.cardKey = null;
    this.wasLeft = false;
    this.root.hidden = false;
    this.render();
  }

  close() {
    this.on = false;
    this.root.hidden = true;
  }

  focus() {
    const target = this.card || this.root.querySelector("#swipe-done-title");
    if (target) target.focus({ preventScroll: true });
  }

  // The items still to vote on, in the deck's order; items added since join at the end.
  left() {
    const queued = this.state.queued();
    const known = new Set(this.order);
    for (const item of queued) if (!known.has(item.id)) this.order.push(item.id);
    const byId = new Map(queued.map((item) => [item.id, item]));
    return this.order.map((id) => byId.get(id)).filter((item) => item && !this.state.myVote(item.id));
  }

  current() {
    return this.left()[0] || null;
  }

  enabled() {
    return this.state.isOpen() && !this.state.gone;
  }

  render() {
    if (!this.on) return;
    const left = this.left();
    const item = left[0] || null;
    const done = !item;
    const total = this.state.queued().length;
    const focusInside = this.root.contains(document.activeElement);
    this.root.querySelector("#swipe-left").textContent = done ? "" : format(_("%(left)s of %(total)s left to vote on"), { left: left.length, total });
    this.root.querySelector("#swipe-help").hidden = done;
    this.root.querySelector("#swipe-done").hidden = !done;
    this.root.querySelector("#swipe-done-text").textContent = total
      ? _("You have voted on everything in the queue.")
      : _("Nothing is queued yet: add a film first.");
    for (const id of ["#swipe-up", "#swipe-down"]) {
      const button = this.root.querySelector(id);
      button.hidden = done;
      button.disabled = !this.enabled();
    }
    const undo = this.root.querySelector("#swipe-undo");
    undo.disabled = !this.undos.length || !this.enabled();
    undo.setAttribute("aria-label", this.undos.length ? format(_("Undo your vote on %(title)s"), { title: this.undos[this.undos.length - 1].title }) : _("Undo"));
    // The same card stays while it is being dragged; only a new item, or new details, rebuild it.
    const key = item ? JSON.stringify([item.id, item.title, item.poster_url, item.year, item.runtime_minutes, item.genres, left[1] ? left[1].id : null]) : null;
    if (key === this.cardKey) return;
    const hadFocus = this.card && this.card.contains(document.activeElement);
    this.cardKey = key;
    this.card = item ? this.build(item) : null;
    const next = left[1] ? h("div", { class: "swipe-card swipe-next", "aria-hidden": "true" }, h("div", { class: "swipe-poster" }, poster(left[1]))) : "";
    // A card flying away finishes its flight above the next one.
    const flying = [...this.stack.querySelectorAll(".swipe-ghost")];
    this.stack.replaceChildren(...[next, this.card, ...flying].filter(Boolean));
    this.stack.classList.toggle("empty", done);
    // The deck ran out: "All done" comes into view under the queue's heading.
    if (done && this.wasLeft) this.root.parentElement.scrollIntoView({ block: "start", behavior: reduceMotion() ? "auto" : "smooth" });
    this.wasLeft = !done;
    if (hadFocus || (done && focusInside)) this.focus();
  }

  build(item) {
    const genres = (item.genres || []).slice(0, 4);
    const card = h(
      "article",
      { class: "swipe-card", tabindex: "0", "aria-label": format(_("%(title)s. %(facts)s. Right arrow votes up, left arrow votes down."), { title: item.title, facts: itemFacts(item) }), dataset: { id: item.id } },
      h("span", { class: "swipe-stamp stamp-up", "aria-hidden": "true", text: `${_("Up")} 👍` }),
      h("span", { class: "swipe-stamp stamp-down", "aria-hidden": "true", text: `👎 ${_("Down")}` }),
      h("div", { class: "swipe-poster" }, poster(item)),
      h(
        "div",
        { class: "swipe-body" },
        h("h4", { class: "swipe-title", text: item.title }),
        h("p", { class: "item-meta", text: itemFacts(item) }),
        genres.length ? h("ul", { class: "item-genres", "aria-label": _("Genres") }, genres.map((genre) => h("li", { text: genre }))) : "",
      ),
    );
    this.drag(card);
    return card;
  }

  threshold(card) {
    return Math.min(MAX_THRESHOLD_PX, card.getBoundingClientRect().width * THRESHOLD_SHARE);
  }

  // Follow a finger (or a mouse): the card leans and tints toward the vote it would cast, and
  // casts it when let go past the threshold; short of it, it springs back.
  drag(card) {
    let start = null;
    card.addEventListener("pointerdown", (event) => {
      if (event.button !== 0 || !this.enabled()) return;
      start = { x: event.clientX, id: event.pointerId, threshold: this.threshold(card) };
      card.setPointerCapture(event.pointerId);
      card.classList.add("dragging");
    });
    card.addEventListener("pointermove", (event) => {
      if (!start || event.pointerId !== start.id) return;
      this.lean(card, event.clientX - start.x, start.threshold);
    });
    const end = (event, cancelled) => {
      if (!start || event.pointerId !== start.id) return;
      const moved = event.clientX - start.x;
      const { threshold } = start;
      start = null;
      card.classList.remove("dragging");
      if (!cancelled && Math.abs(moved) >= threshold) this.decide(moved > 0 ? "up" : "down");
      else this.lean(card, 0, threshold);
    };
    card.addEventListener("pointerup", (event) => end(event, false));
    card.addEventListener("pointercancel", (event) => end(event, true));
  }

  lean(card, moved, threshold) {
    const share = Math.max(-1, Math.min(1, moved / threshold));
    // Through the CSSOM: the site's policy refuses inline style attributes.
    card.style.setProperty("--dx", `${moved}px`);
    card.style.setProperty("--tilt", `${(moved / threshold) * 6}deg`);
    card.style.setProperty("--lean-up", String(Math.max(0, share)));
    card.style.setProperty("--lean-down", String(Math.max(0, -share)));
    card.dataset.lean = share >= 1 ? "up" : share <= -1 ? "down" : "";
  }

  // Cast a vote on the card on top, and show the next one at once; the vote's answer comes
  // later, and a refusal brings the card back.
  async decide(value) {
    const item = this.current();
    if (!item || !this.enabled()) return;
    this.flyAway(value);
    const entry = { itemId: item.id, title: item.title, before: this.state.myVote(item.id) };
    this.undos.push(entry);
    announce(format(value === "up" ? _("Voted up: %(title)s.") : _("Voted down: %(title)s."), { title: item.title }));
    entry.sent = this.vote(item, value);
    if (!(await entry.sent)) this.undos = this.undos.filter((undo) => undo !== entry);
    this.render();
  }

  flyAway(value) {
    const card = this.card;
    if (!card || reduceMotion()) return;
    const ghost = card.cloneNode(true);
    ghost.classList.add("swipe-ghost");
    ghost.removeAttribute("tabindex");
    ghost.setAttribute("aria-hidden", "true");
    for (const name of ["--dx", "--tilt", "--lean-up", "--lean-down"]) ghost.style.setProperty(name, card.style.getPropertyValue(name));
    ghost.dataset.lean = value;
    this.stack.append(ghost);
    const sign = value === "up" ? 1 : -1;
    const from = getComputedStyle(card).transform;
    ghost
      .animate([{ transform: from === "none" ? "none" : from }, { transform: `translateX(${sign * 140}%) rotate(${sign * 18}deg)`, opacity: 0 }], { duration: 320, easing: "ease-in" })
      .finished.then(() => ghost.remove(), () => ghost.remove());
  }

  // Take back the last vote cast here: withdrawn if there was none before, cast again if there
  // was. Its card comes back on top.
  async undo() {
    const last = this.undos.pop();
    if (!last) return;
    // A vote still on its way is answered first; one the server refused has nothing to undo.
    if (!(await last.sent)) {
      this.render();
      return;
    }
    const item = this.state.items.get(last.itemId);
    if (!item || item.status !== "queued") {
      announce(format(_("%(title)s is no longer in the queue."), { title: last.title }));
      this.render();
      return;
    }
    const taken = await this.vote(item, last.before);
    if (taken) announce(format(last.before === "up" ? _("Undone: your vote on %(title)s is up again.") : last.before ? _("Undone: your vote on %(title)s is down again.") : _("Undone: your vote on %(title)s is taken back."), { title: item.title }));
    else this.undos.push(last);
    this.render();
    this.focus();
  }
}
