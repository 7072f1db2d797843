// The queue as cards, one per item, kept in place between updates: a card's buttons keep focus
// while its counts change, and cards glide to their new place when the order changes. Each card
// also says where the item stands tonight: a match, vetoed, seen by whom, left out and why, and
// its chance in tonight's draw. On a phone a card is short enough for two to fit on the first
// screen: the votes, seen it and veto share one row under the poster.
import { _, format, ngettext } from "./i18n.js";
import { reasonsText, vetoedText } from "./tonight.js";
import { avatar, h, itemFacts, poster, providersLine } from "./ui.js";

const HIGHLIGHT_MS = 2400;
const reduceMotion = () => window.matchMedia("(prefers-reduced-motion: reduce)").matches;

export class QueueView {
  // actions: { vote(item, kind), menu(item) -> [{label, run, danger}], seen(item), veto(item),
  //   details(item, opener) }
  constructor(list, { state, actions }) {
    this.list = list;
    this.state = state;
    this.actions = actions;
    this.cards = new Map();
  }

  render() {
    const items = this.state.queued();
    const ids = new Set(items.map((item) => item.id));
    for (const [id, card] of this.cards) {
      if (!ids.has(id)) {
        // Focus in a card that goes moves to the next card, or the queue's heading.
        if (card.element.contains(document.activeElement)) {
          const next = card.element.nextElementSibling || card.element.previousElementSibling;
          const target = next ? next.querySelector(".vote-button") : document.getElementById("queue-title");
          if (target) {
            if (!next) target.setAttribute("tabindex", "-1");
            target.focus({ preventScroll: true });
          }
        }
        card.element.remove();
        this.cards.delete(id);
      }
    }
    const before = new Map([...this.cards].map(([id, card]) => [id, card.element.getBoundingClientRect().top]));
    const focused = document.activeElement;
    items.forEach((item, index) => {
      let card = this.cards.get(item.id);
      if (!card) {
        card = this.build(item);
        this.cards.set(item.id, card);
      }
      this.update(card, item, index);
      const here = this.list.children[index];
      if (here !== card.element) this.list.insertBefore(card.element, here || null);
    });
    if (focused && document.contains(focused) && document.activeElement !== focused) focused.focus({ preventScroll: true });
    if (!reduceMotion()) {
      for (const [id, card] of this.cards) {
        const top = before.get(id);
        if (top === undefined) continue;
        const moved = top - card.element.getBoundingClientRect().top;
        if (Math.abs(moved) > 1) {
          card.element.animate([{ transform: `translateY(${moved}px)` }, { transform: "none" }], { duration: 320, easing: "ease-out" });
        }
      }
    }
    return items.length;
  }

  build(item) {
    const refs = {};
    // Its poster or title opens the item's details; the title, a button, gets the focus back.
    const details = () => this.actions.details && this.actions.details(this.state.items.get(item.id), refs.open);
    const voteButton = (kind) =>
      h(
        "button",
        { class: `vote-button ${kind}`, type: "button", "aria-pressed": "false", onclick: () => this.actions.vote(this.state.items.get(item.id), kind) },
        h("span", { class: "glyph", "aria-hidden": "true", text: kind === "up" ? "👍" : "👎" }),
        (refs[`${kind}Count`] = h("span", { class: "vote-count" })),
      );
    const element = h(
      "li",
      { class: "item", dataset: { id: item.id } },
      (refs.poster = h("div", { class: "item-poster", onclick: details })),
      h(
        "div",
        { class: "item-body" },
        (refs.title = h("h3", { class: "item-title" }, (refs.open = h("button", { class: "item-open", type: "button", "aria-haspopup": "dialog", onclick: details })))),
        (refs.meta = h("p", { class: "item-meta" })),
        h("div", { class: "item-tags" }, (refs.badges = h("p", { class: "item-badges", hidden: true })), (refs.genres = h("ul", { class: "item-genres", "aria-label": _("Genres") }))),
        (refs.providers = h("div", {})),
        (refs.added = h("p", { class: "item-added" })),
        (refs.note = h("p", { class: "item-note", hidden: true })),
        (refs.why = h("p", { class: "item-why", hidden: true })),
      ),
      h(
        "div",
        { class: "item-actions" },
        (refs.votes = h("div", { class: "votes", role: "group" }, (refs.up = voteButton("up")), (refs.score = h("span", { class: "score", "aria-hidden": "true" })), (refs.down = voteButton("down")))),
        (refs.voters = h("ul", { class: "voters", "aria-label": _("Votes so far") })),
        h(
          "div",
          { class: "item-tonight" },
          (refs.seen = h("button", { class: "chip-button seen-button", type: "button", "aria-pressed": "false", onclick: () => this.actions.seen(this.state.items.get(item.id)) })),
          (refs.veto = h("button", { class: "chip-button veto-button", type: "button", onclick: () => this.actions.veto(this.state.items.get(item.id)) })),
          (refs.seenBy = h("ul", { class: "seen-by", "aria-label": _("Seen by") })),
        ),
      ),
      (refs.menuHost = h("div", { class: "menu-host" })),
    );
    element.classList.add("is-new");
    setTimeout(() => element.classList.remove("is-new"), 600);
    return { element, refs, keys: {} };
  }

  update(card, item, index) {
    const { refs, keys } = card;
    const me = this.state.myVote(item.id);
    const open = this.state.isOpen();
    card.element.classList.toggle("leading", index === 0 && item.vote_score > 0);
    const looks = [item.title, item.poster_url, item.year, item.runtime_minutes, item.media_type, (item.genres || []).join(), JSON.stringify(item.providers || {}), item.added_by, item.enrichment, item.enrichment_error].join("|");
    if (keys.looks !== looks) {
      keys.looks = looks;
      refs.poster.replaceChildren(poster(item));
      refs.open.textContent = item.title;
      refs.votes.setAttribute("aria-label", format(_("Vote on %(title)s"), { title: item.title }));
      refs.meta.textContent = itemFacts(item);
      refs.genres.replaceChildren(...(item.genres || []).slice(0, 4).map((genre) => h("li", { text: genre })));
      refs.genres.hidden = !(item.genres || []).length;
      refs.providers.replaceChildren(providersLine(item) || "");
      const adder = this.state.member(item.added_by);
      refs.added.replaceChildren(avatar(adder, { small: true }), format(_("Added by %(name)s"), { name: adder.name }));
      this.note(refs.note, item);
    }
    const votesKey = [item.upvotes, item.downvotes, item.vote_score, me, open, this.votersKey(item.id)].join("|");
    if (keys.votes !== votesKey) {
      const scoreChanged = keys.score !== undefined && keys.score !== item.vote_score;
      keys.votes = votesKey;
      keys.score = item.vote_score;
      refs.upCount.textContent = item.upvotes;
      refs.downCount.textContent = item.downvotes;
      refs.score.textContent = item.vote_score > 0 ? `+${item.vote_score}` : String(item.vote_score);
      if (scoreChanged) {
        refs.score.classList.remove("bump");
        void refs.score.offsetWidth; // restart the animation
        refs.score.classList.add("bump");
      }
      refs.up.setAttribute("aria-pressed", String(me === "up"));
      refs.down.setAttribute("aria-pressed", String(me === "down"));
      refs.up.setAttribute("aria-label", format(_("Vote up %(title)s: %(count)s up"), { title: item.title, count: item.upvotes }));
      refs.down.setAttribute("aria-label", format(_("Vote down %(title)s: %(count)s down"), { title: item.title, count: item.downvotes }));
      refs.up.disabled = refs.down.disabled = !open;
      refs.voters.replaceChildren(...this.voters(item.id));
    }
    this.tonight(card, item);
    // Rebuilt only when what may be done changes: an open menu stays open while details fill in.
    const menuKey = [item.status, item.title, open, this.state.isHost()].join("|");
    if (keys.menu !== menuKey) {
      keys.menu = menuKey;
      refs.menuHost.replaceChildren(menu(item, this.actions.menu(item)));
    }
  }

  // Where the item stands tonight; redrawn only when that changes.
  tonight(card, item) {
    const { refs, keys } = card;
    const { state } = this;
    const me = state.you ? state.you.user_id : null;
    const seenBy = state.seenBy(item.id);
    const vetoes = state.vetoesOn(item.id);
    const why = state.excludedWhy(item.id);
    // While a pick stands, the draw is not on: its chances would only confuse.
    const standing = state.standing();
    const picked = Boolean(standing && standing.item_id === item.id);
    const candidate = standing ? null : state.candidate(item.id);
    const chance = candidate ? candidate.chance : null;
    const perEvening = state.tonight ? state.tonight.vetoes_per_evening : 0;
    const key = JSON.stringify([seenBy, vetoes, why, chance, picked, state.isMatch(item.id), state.vetoesLeft(), perEvening, state.isOpen(), Boolean(state.tonight), item.title]);
    if (keys.tonight === key) return;
    keys.tonight = key;
    const match = state.isMatch(item.id);
    const nameOf = (userId) => (userId === me ? "you" : state.member(userId).name);
    const vetoed = vetoedText(vetoes, nameOf);
    const left = Boolean(why);
    card.element.classList.toggle("out", left);
    card.element.classList.toggle("match", match);
    card.element.classList.toggle("picked", picked);
    refs.badges.replaceChildren(
      picked ? h("span", { class: "badge", text: _("Tonight's pick") }) : "",
      match ? h("span", { class: "badge match-badge", text: _("Match") }) : "",
      vetoed ? h("span", { class: "badge veto-badge", text: vetoed }) : "",
      chance !== null && chance !== undefined ? h("span", { class: "badge chance-badge", text: format(_("%(chance)s%% chance"), { chance }), title: _("Its chance in tonight's weighted draw") }) : "",
    );
    refs.badges.hidden = !refs.badges.childElementCount;
    const whyText = why ? reasonsText(why, { skip: ["vetoed"] }) : "";
    refs.why.hidden = !whyText;
    refs.why.textContent = whyText ? format(_("Not tonight: %(why)s."), { why: whyText }) : "";
    // Seen it: mine to toggle; everyone's as small faces.
    const seenMine = Boolean(me && seenBy.includes(me));
    refs.seen.hidden = !state.tonight;
    refs.seen.setAttribute("aria-pressed", String(seenMine));
    refs.seen.replaceChildren(h("span", { class: "glyph", "aria-hidden": "true", text: seenMine ? "✓" : "👁" }), h("span", { class: "chip-label", text: seenMine ? _("Seen it") : _("Seen it?") }));
    refs.seen.setAttribute("aria-label", format(_("I have seen %(title)s"), { title: item.title }));
    refs.seen.disabled = !state.isOpen();
    refs.seenBy.replaceChildren(
      ...seenBy.map((userId) => {
        const member = state.member(userId);
        const saw = userId === me ? _("You saw it") : format(_("%(name)s saw it"), { name: member.name });
        return h("li", { title: saw }, avatar(member, { small: true }), h("span", { class: "visually-hidden", text: saw }));
      }),
    );
    // Veto: mine to spend or withdraw; hidden when the room has no vetoes.
    const mine = vetoes.some((veto) => veto.by === me);
    const vetoesLeft = state.vetoesLeft();
    refs.veto.hidden = !state.tonight || (perEvening === 0 && !mine);
    refs.veto.classList.toggle("pressed", mine);
    if (mine) {
      refs.veto.replaceChildren(h("span", { class: "glyph", "aria-hidden": "true", text: "↩" }), h("span", { class: "chip-label", text: _("Withdraw veto") }));
      refs.veto.setAttribute("aria-label", format(_("Withdraw your veto on %(title)s"), { title: item.title }));
    } else {
      refs.veto.replaceChildren(h("span", { class: "glyph", "aria-hidden": "true", text: "✋" }), h("span", { class: "chip-label", text: _("Veto") }), h("span", { class: "chip-count" }, vetoesLeft, h("span", { class: "chip-label", text: " " + _("left") })));
      refs.veto.setAttribute("aria-label", format(ngettext("Veto %(title)s for tonight (%(count)s veto left)", "Veto %(title)s for tonight (%(count)s vetoes left)", vetoesLeft), { title: item.title, count: vetoesLeft }));
    }
    refs.veto.disabled = !state.isOpen();
  }

  note(element, item) {
    const notes = {
      pending: [_("Fetching details from TMDB…"), false],
      failed: [format(_("No details from TMDB: %(error)s. Use ⋯ to try again."), { error: item.enrichment_error || _("it did not answer") }), true],
      unmatched: [item.enrichment_error || _("TMDB has no single match for this title."), false],
      duplicate: [item.enrichment_error || _("This looks like another item in the queue."), true],
    };
    const [text, warn] = notes[item.enrichment] || [null, false];
    element.hidden = !text;
    element.textContent = text || "";
    element.classList.toggle("warn", warn);
  }

  votersKey(itemId) {
    return [...(this.state.votes.get(itemId) || new Map())].map(([user, vote]) => `${user}:${vote}`).join(",");
  }

  voters(itemId) {
    return [...(this.state.votes.get(itemId) || new Map())].map(([userId, vote]) => {
      const member = this.state.member(userId);
      const said = format(vote === "up" ? _("%(name)s voted up") : _("%(name)s voted down"), { name: member.name });
      return h("li", { class: vote, title: said }, avatar(member, { small: true }), h("span", { class: "visually-hidden", text: said }));
    });
  }

  // Show a card that was just added (or met again): scrolled into view and lit up for a moment.
  flash(itemId) {
    const card = this.cards.get(itemId);
    if (!card) return;
    card.element.scrollIntoView({ block: "center", behavior: reduceMotion() ? "auto" : "smooth" });
    card.element.classList.remove("highlight");
    void card.element.offsetWidth; // restart the animation
    card.element.classList.add("highlight");
    clearTimeout(card.highlightTimer);
    card.highlightTimer = setTimeout(() => card.element.classList.remove("highlight"), HIGHLIGHT_MS);
  }
}

// A card's "more" menu: a disclosure of the actions this member may take on the item.
export function menu(item, entries) {
  if (!entries.length) return "";
  const details = h("details", { class: "item-menu" });
  const buttons = entries.map((entry) =>
    h("button", {
      type: "button",
      class: entry.danger ? "danger" : "",
      text: entry.label,
      onclick: () => {
        details.querySelector("summary").focus();
        details.open = false;
        entry.run();
      },
    }),
  );
  details.append(h("summary", { "aria-label": format(_("More for %(title)s"), { title: item.title }), title: _("More") }, h("span", { "aria-hidden": "true", text: "⋯" })), h("div", { class: "menu" }, ...buttons));
  details.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && details.open) {
      details.open = false;
      details.querySelector("summary").focus();
    }
  });
  return details;
}

// Close any open card menu when the person taps elsewhere.
document.addEventListener("click", (event) => {
  for (const open of document.querySelectorAll("details.item-menu[open]")) {
    if (!open.contains(event.target)) open.open = false;
  }
});
