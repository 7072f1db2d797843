// The living-room TV: the queue with its votes moving live, tonight's constraints and matches,
// the countdown, the pick revealed big with its reason, and the code to join. Read only: it
// follows the room's events over SSE and sends nothing.
//
// A TV cannot scroll, so the page always fits its screen: the queue is shown a page at a time,
// as many rows as fit under whatever else is on, turning every few seconds with "1–7 of 30"
// and a dot per page; the side column keeps only what fits.
import { _, format } from "./i18n.js";
import { api, unmasked, useToken } from "./api.js";
import { Live, showStatus } from "./live.js";
import { reasonText, reveal } from "./reveal.js";
import { RoomState } from "./store.js";
import { celebrateMatch, constraintsParts, reasonsText } from "./tonight.js";
import { $, avatar, clock, config, h, itemFacts, poster } from "./ui.js";

const PAGE_MS = 8000;
const RECENT_PICK_MS = 30000;
const REVEAL_SECONDS = 15;
const MATCHES_SHOWN = 3;
const FACES_SHOWN = 10;
const DOTS_MAX = 12;
const cfg = config();
useToken(unmasked(cfg.token_masked));
const state = new RoomState();
const rows = new Map();
const pager = { page: 0, perPage: 6, pages: 1, timer: null, shownPage: null };
let transport = "connecting";
let ended = false;

function row(item, rank) {
  let entry = rows.get(item.id);
  if (!entry) {
    const refs = {};
    const element = h(
      "li",
      { class: "tv-item", dataset: { id: item.id } },
      (refs.rank = h("span", { class: "tv-rank" })),
      (refs.poster = h("div", { class: "tv-poster" })),
      h("div", { class: "tv-text" }, (refs.title = h("h3", {})), (refs.meta = h("p", { class: "item-meta" })), (refs.why = h("p", { class: "tv-why", hidden: true }))),
      h("div", { class: "tv-score" }, (refs.badge = h("span", { class: "badge match-badge", text: _("Match"), hidden: true })), (refs.score = h("span", { class: "score" })), (refs.split = h("span", { class: "split" }))),
    );
    entry = { element, refs, looks: null, score: null };
    rows.set(item.id, entry);
  }
  const { refs } = entry;
  const looks = [item.title, item.poster_url, item.year, item.runtime_minutes, (item.genres || []).join()].join("|");
  if (entry.looks !== looks) {
    entry.looks = looks;
    refs.poster.replaceChildren(poster(item));
    refs.title.textContent = item.title;
    refs.title.title = item.title;
    refs.meta.textContent = [itemFacts(item), (item.genres || []).slice(0, 3).join(", ")].filter(Boolean).join(" · ");
  }
  refs.rank.textContent = rank;
  refs.badge.hidden = !state.isMatch(item.id);
  entry.element.classList.toggle("match", state.isMatch(item.id));
  const why = state.excludedWhy(item.id);
  entry.element.classList.toggle("out", Boolean(why));
  refs.why.hidden = !why;
  refs.why.textContent = why ? format(_("Not tonight: %(why)s"), { why: reasonsText(why) }) : "";
  if (entry.score !== null && entry.score !== item.vote_score) {
    refs.score.classList.remove("bump");
    void refs.score.offsetWidth;
    refs.score.classList.add("bump");
  }
  entry.score = item.vote_score;
  refs.score.textContent = item.vote_score > 0 ? `+${item.vote_score}` : String(item.vote_score);
  refs.split.replaceChildren(h("span", { class: "up", text: `▲ ${item.upvotes}` }), "  ", h("span", { class: "down", text: `▼ ${item.downvotes}` }));
  entry.element.classList.toggle("leading", rank === 1 && item.vote_score > 0);
  return entry.element;
}

function render() {
  if (!state.room || ended) return;
  $("#room-name").textContent = state.room.name;
  document.title = `${format(_("%(name)s on TV"), { name: state.room.name })} · WatchQueue`;
  const closed = state.room.status === "closed";
  $("#tv-join").hidden = closed;
  $("#tv-closed").hidden = !closed;
  $("#tv-queue-title").textContent = closed ? _("The queue") : _("Up next");
  showStatus(closed ? "closed" : transport);

  const watching = state.watching();
  $("#now-watching").hidden = !watching;
  if (watching) {
    $("#now-body").replaceChildren(h("div", { class: "tv-item" }, h("span", { class: "tv-rank", text: "▶" }), h("div", { class: "tv-poster" }, poster(watching)), h("div", { class: "tv-text" }, h("h3", { text: watching.title }), h("p", { class: "item-meta", text: itemFacts(watching) })), h("span", {})));
  }
  renderPresence();
  renderTonight();
  renderRound();
  renderBackdrop();
  layoutQueue();
  fitSide();
}

function renderPresence() {
  const faces = state.presence.slice(0, FACES_SHOWN).map((user) => h("li", {}, avatar(user), h("span", { class: "tv-face-name", text: user.name })));
  const more = state.presence.length - FACES_SHOWN;
  if (more > 0) faces.push(h("li", { class: "muted", text: `+${more} more` }));
  $("#presence-list").replaceChildren(...faces);
}

// The leader's backdrop sets the scene, dimmed behind the page.
function renderBackdrop() {
  const leader = state.queued()[0];
  const url = (leader && leader.backdrop_url) || "";
  const image = $("#tv-backdrop");
  if (image.dataset.url === url) return;
  image.dataset.url = url;
  image.classList.remove("shown");
  if (!url) {
    image.hidden = true;
    image.removeAttribute("src");
    return;
  }
  image.hidden = false;
  image.onload = () => image.classList.add("shown");
  image.onerror = () => {
    image.hidden = true;
  };
  image.src = url;
}

// The queue, a page at a time: as many rows as fit, every row the same height.
function layoutQueue() {
  const items = state.queued();
  const list = $("#queue");
  $("#queue-empty").hidden = items.length > 0;
  const fits = () => list.scrollHeight <= list.clientHeight + 1;
  showPage(items, pager.perPage);
  const first = list.firstElementChild;
  if (first) {
    const gap = parseFloat(getComputedStyle(list).rowGap) || 0;
    const capacity = Math.max(1, Math.floor((list.clientHeight + gap) / (first.getBoundingClientRect().height + gap)));
    if (capacity !== pager.perPage) showPage(items, capacity);
    // Rows are one height by design; should one grow after all, show one fewer.
    while (!fits() && pager.perPage > 1) showPage(items, pager.perPage - 1);
  }
  renderPager(items.length);
}

function showPage(items, perPage) {
  pager.perPage = perPage;
  pager.pages = Math.max(1, Math.ceil(items.length / perPage));
  if (pager.page >= pager.pages) pager.page = 0;
  const start = pager.page * perPage;
  const shown = items.slice(start, start + perPage);
  const list = $("#queue");
  const turned = pager.shownPage !== pager.page;
  pager.shownPage = pager.page;
  const before = turned ? new Map() : new Map([...rows].map(([id, entry]) => [id, entry.element.getBoundingClientRect().top]));
  const keep = new Set(shown.map((item) => item.id));
  for (const [id, entry] of rows) {
    if (!keep.has(id)) {
      entry.element.remove();
      rows.delete(id);
    }
  }
  shown.forEach((item, index) => {
    const element = row(item, start + index + 1);
    if (list.children[index] !== element) list.insertBefore(element, list.children[index] || null);
  });
  if (turned) {
    list.animate([{ opacity: 0, transform: "translateY(.6em)" }, { opacity: 1, transform: "none" }], { duration: 500, easing: "ease-out" });
    return;
  }
  for (const [id, entry] of rows) {
    const top = before.get(id);
    const moved = top === undefined ? 0 : top - entry.element.getBoundingClientRect().top;
    if (Math.abs(moved) > 1) entry.element.animate([{ transform: `translateY(${moved}px)` }, { transform: "none" }], { duration: 450, easing: "ease-out" });
  }
}

function renderPager(total) {
  const paged = pager.pages > 1;
  $("#tv-pager").hidden = !paged;
  $("#tv-page-progress").hidden = !paged;
  if (!paged) {
    clearTimeout(pager.timer);
    pager.timer = null;
    return;
  }
  const first = pager.page * pager.perPage + 1;
  const last = Math.min(total, first + pager.perPage - 1);
  $("#tv-page-range").textContent = format(_("%(first)s–%(last)s of %(total)s"), { first, last, total });
  const dots = pager.pages <= DOTS_MAX ? Array.from({ length: pager.pages }, (dot, index) => h("li", { class: index === pager.page ? "current" : "" })) : [];
  $("#tv-dots").replaceChildren(...dots);
  if (!pager.timer) turnIn(PAGE_MS);
}

// The next page after `ms`, with a bar that fills until then.
function turnIn(ms) {
  clearTimeout(pager.timer);
  const bar = $("#tv-page-bar");
  bar.getAnimations().forEach((animation) => animation.cancel());
  bar.animate([{ transform: "scaleX(0)" }, { transform: "scaleX(1)" }], { duration: ms, easing: "linear", fill: "forwards" });
  pager.timer = setTimeout(() => {
    pager.timer = null;
    pager.page = (pager.page + 1) % pager.pages;
    layoutQueue();
  }, ms);
}

// The side column keeps what fits: the code to join shrinks first, then who is here goes.
function fitSide() {
  const side = $(".tv-side");
  side.classList.remove("snug", "tight");
  for (const level of ["snug", "tight"]) {
    if (side.scrollHeight <= side.clientHeight + 1) return;
    side.classList.add(level);
  }
}

function renderTonight() {
  const tonight = state.tonight;
  // A closed room has no evening under way.
  $("#tv-tonight").hidden = !tonight || state.room.status === "closed";
  if (tonight) $("#tv-tonight-line").textContent = constraintsParts(tonight).join(" · ");
  const matches = tonight ? tonight.matches.map((id) => state.items.get(id)).filter(Boolean) : [];
  $("#tv-matches").hidden = !matches.length;
  const lines = matches.slice(0, MATCHES_SHOWN).map((item) => h("li", {}, h("span", { class: "match-heart", "aria-hidden": "true", text: "💘" }), h("span", { class: "tv-match-title", text: item.title })));
  if (matches.length > MATCHES_SHOWN) lines.push(h("li", { class: "muted", text: format(_("and %(count)s more"), { count: matches.length - MATCHES_SHOWN }) }));
  $("#tv-match-list").replaceChildren(...lines);
  // Once it is on, "Watching now" says it.
  const watching = state.watching();
  const standing = watching && state.standing() && state.standing().item_id === watching.id ? null : state.standing();
  $("#tv-pick").hidden = !standing;
  if (standing) {
    const item = state.items.get(standing.item_id) || standing.item;
    $("#tv-pick-body").replaceChildren(
      h(
        "div",
        { class: "tv-item" },
        h("span", { class: "tv-rank", text: "★" }),
        h("div", { class: "tv-poster" }, item ? poster(item) : ""),
        h("div", { class: "tv-text" }, h("h3", { text: standing.item_title }), h("p", { class: "tv-pick-reason", text: reasonText(standing) })),
        h("span", {}),
      ),
    );
  }
}

// Tonight and what a pick would choose among come from the API besides the snapshot, and again
// shortly after each change, once for a burst of them.
let previewTimer = null;

async function loadTonight() {
  try {
    state.tonight = await api("GET", `/rooms/${cfg.room_id}/tonight`);
  } catch {
    return;
  }
  render();
}

async function loadPreview() {
  try {
    state.preview = await api("GET", `/queue/room/${cfg.room_id}/select/preview`);
  } catch {
    return;
  }
  render();
}

function previewSoon() {
  clearTimeout(previewTimer);
  previewTimer = setTimeout(loadPreview, 300);
}

let ticker = null;

function renderRound() {
  const live = state.round && state.round.status === "open";
  $("#round-live").hidden = !live;
  clearInterval(ticker);
  if (!live) return;
  const tick = () => {
    const left = state.roundSecondsLeft();
    $("#countdown").textContent = left > 0 ? clock(left) : _("Picking…");
    $("#countdown").classList.toggle("ending", left <= 10);
    $("#round-bar").style.transform = `scaleX(${Math.max(0, left / state.roundLength())})`;
  };
  tick();
  ticker = setInterval(tick, 250);
}

function showPick(selection) {
  if (Date.now() + state.clockOffsetMs - new Date(selection.created_at).getTime() > RECENT_PICK_MS) return;
  reveal(selection, { titles: state.queued().map((item) => item.title), autoCloseSeconds: REVEAL_SECONDS });
}

// The room is gone, or this screen is no longer one of its screens: say which, and stop.
function end(heading, text) {
  ended = true;
  live.stop();
  clearTimeout(pager.timer);
  clearInterval(ticker);
  const dialog = $("#reveal-dialog");
  if (dialog.open) dialog.close();
  $("#tv").hidden = true;
  $("#tv-backdrop").hidden = true;
  $("#tv-gone-title").textContent = heading;
  $("#tv-gone-text").textContent = text;
  $("#tv-gone").hidden = false;
  document.title = `${heading} · WatchQueue`;
}

function deleted() {
  end(_("This room was deleted"), format(_("%(name)s is no more: nothing will show on this screen again. Start a new room from a phone, and open it here with its code."), { name: state.room ? state.room.name : _("The room") }));
}

// A refused snapshot does not say why: the page itself answers 404 for a room that is gone.
async function gone(error) {
  if (error.status === 404 || error.code === "room_deleted") {
    deleted();
    return;
  }
  let status = 0;
  try {
    status = (await fetch(location.pathname, { cache: "no-store", redirect: "manual" })).status;
  } catch {
    status = 0;
  }
  if (status === 404) deleted();
  else end(_("This screen was disconnected"), _("The room's host removed this screen. Open it again with the room's code."));
}

const live = new Live({
  roomId: cfg.room_id,
  userId: null,
  onSnapshot: async (snapshot) => {
    state.load(snapshot);
    render();
    await Promise.all([loadTonight(), loadPreview()]);
  },
  onEvent: (event) => {
    const change = state.apply(event);
    if (change.selection && state.preview) state.preview = { ...state.preview, standing: change.selection };
    if (change.kind === "gone" && state.gone === "deleted") {
      deleted();
      return;
    }
    render();
    if (!["history", "unknown", "gone"].includes(change.kind)) previewSoon();
    // Who is in follows who is connected (before any evening is under way, no event says so).
    if (change.kind === "presence") loadTonight();
    if (change.kind === "match" && change.matched) {
      celebrateMatch({ eveningId: state.tonight && state.tonight.evening && state.tonight.evening.id, itemId: change.itemId, title: change.title, attendees: change.attendees });
    }
    if (change.kind === "selection") showPick(change.selection);
    if (change.kind === "round" && change.selection) showPick(change.selection);
  },
  onStatus: (status) => {
    transport = status;
    // A closed room is not live, whatever the connection does.
    showStatus(state.room && state.room.status === "closed" ? "closed" : status);
  },
  onGone: gone,
});
window.addEventListener("resize", () => render());
live.start();
