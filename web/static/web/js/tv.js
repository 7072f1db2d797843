// The living-room TV: the queue with its votes moving live, tonight's constraints and matches,
// the countdown, the pick revealed big with its reason, and the code to join. Read only: it
// follows the room's events over SSE and sends nothing.
import { api, useToken } from "./api.js";
import { Live, showStatus } from "./live.js";
import { reasonText, reveal } from "./reveal.js";
import { RoomState } from "./store.js";
import { celebrateMatch, constraintsParts, reasonsText } from "./tonight.js";
import { $, avatar, clock, config, h, itemFacts, poster } from "./ui.js";

const SHOWN = 8;
const RECENT_PICK_MS = 30000;
const cfg = config();
useToken(cfg.token);
const state = new RoomState();
const rows = new Map();

function row(item, rank) {
  let entry = rows.get(item.id);
  if (!entry) {
    const refs = {};
    const element = h(
      "li",
      { class: "tv-item", dataset: { id: item.id } },
      (refs.rank = h("span", { class: "tv-rank" })),
      (refs.poster = h("div", {})),
      h("div", {}, (refs.title = h("h3", {})), (refs.meta = h("p", { class: "item-meta" })), (refs.why = h("p", { class: "tv-why", hidden: true }))),
      h("div", { class: "tv-score" }, (refs.badge = h("span", { class: "badge match-badge", text: "Match", hidden: true })), (refs.score = h("span", { class: "score" })), (refs.split = h("span", { class: "split" }))),
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
    refs.meta.textContent = [itemFacts(item), (item.genres || []).slice(0, 3).join(", ")].filter(Boolean).join(" · ");
  }
  refs.rank.textContent = rank;
  refs.badge.hidden = !state.isMatch(item.id);
  entry.element.classList.toggle("match", state.isMatch(item.id));
  const why = state.excludedWhy(item.id);
  entry.element.classList.toggle("out", Boolean(why));
  refs.why.hidden = !why;
  refs.why.textContent = why ? `Not tonight: ${reasonsText(why)}` : "";
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
  if (!state.room) return;
  $("#room-name").textContent = state.room.name;
  document.title = `${state.room.name} on TV · WatchQueue`;
  const items = state.queued();
  const shown = items.slice(0, SHOWN);
  const list = $("#queue");
  const before = new Map([...rows].map(([id, entry]) => [id, entry.element.getBoundingClientRect().top]));
  const keep = new Set(shown.map((item) => item.id));
  for (const [id, entry] of rows) {
    if (!keep.has(id)) {
      entry.element.remove();
      rows.delete(id);
    }
  }
  shown.forEach((item, index) => {
    const element = row(item, index + 1);
    if (list.children[index] !== element) list.insertBefore(element, list.children[index] || null);
  });
  for (const [id, entry] of rows) {
    const top = before.get(id);
    const moved = top === undefined ? 0 : top - entry.element.getBoundingClientRect().top;
    if (Math.abs(moved) > 1) entry.element.animate([{ transform: `translateY(${moved}px)` }, { transform: "none" }], { duration: 450, easing: "ease-out" });
  }
  $("#queue-empty").hidden = items.length > 0;

  const watching = state.watching();
  $("#now-watching").hidden = !watching;
  if (watching) {
    $("#now-body").replaceChildren(h("div", { class: "tv-item" }, h("span", { class: "tv-rank", text: "▶" }), poster(watching), h("div", {}, h("h3", { text: watching.title }), h("p", { class: "item-meta", text: itemFacts(watching) })), h("span", {})));
  }

  $("#presence-list").replaceChildren(...state.presence.map((user) => h("li", {}, avatar(user), user.name)));
  renderTonight();
  renderRound();
}

function renderTonight() {
  const tonight = state.tonight;
  $("#tv-tonight").hidden = !tonight;
  if (tonight) $("#tv-tonight-line").textContent = constraintsParts(tonight).join(" · ");
  const matches = tonight ? tonight.matches.map((id) => state.items.get(id)).filter(Boolean) : [];
  $("#tv-matches").hidden = !matches.length;
  $("#tv-match-list").replaceChildren(...matches.map((item) => h("li", {}, h("span", { class: "match-heart", "aria-hidden": "true", text: "💘" }), item.title)));
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
        item ? poster(item) : h("span", {}),
        h("div", {}, h("h3", { text: standing.item_title }), h("p", { class: "tv-pick-reason", text: reasonText(standing) })),
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
    $("#countdown").textContent = left > 0 ? clock(left) : "Picking…";
    $("#countdown").classList.toggle("ending", left <= 10);
    $("#round-bar").style.transform = `scaleX(${Math.max(0, left / state.roundLength())})`;
  };
  tick();
  ticker = setInterval(tick, 250);
}

function showPick(selection) {
  if (Date.now() + state.clockOffsetMs - new Date(selection.created_at).getTime() > RECENT_PICK_MS) return;
  reveal(selection, { titles: state.queued().map((item) => item.title), autoCloseSeconds: 25 });
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
    render();
    if (!["history", "unknown", "gone"].includes(change.kind)) previewSoon();
    // Who is in follows who is connected (before any evening is under way, no event says so).
    if (change.kind === "presence") loadTonight();
    if (change.kind === "match" && change.matched) {
      celebrateMatch({ eveningId: state.tonight && state.tonight.evening && state.tonight.evening.id, itemId: change.itemId, title: change.title, attendees: change.attendees });
    }
    if (change.kind === "selection") showPick(change.selection);
    if (change.kind === "round" && change.selection) showPick(change.selection);
    if (change.kind === "gone" && state.gone === "deleted") {
      live.stop();
      $("#room-name").textContent = "This room was deleted.";
    }
  },
  onStatus: showStatus,
  onGone: () => {
    $("#room-name").textContent = "This room is gone.";
    showStatus("offline");
  },
});
live.start();
