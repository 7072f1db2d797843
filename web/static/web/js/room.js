// A room, for one of its members: the queue with live votes, who is here, tonight (who is in,
// the constraints, seen marks, vetoes and matches), the voting round, the pick, and the host's
// controls. Every change goes through the REST API; what everyone sees (this page included)
// comes back as the room's events.
import { _, format, phrased } from "./i18n.js";
import { AddForm } from "./add-form.js";
import { api, forgetToken, unmasked, useToken } from "./api.js";
import { DetailsSheet } from "./details-sheet.js";
import { EditDialog } from "./edit-dialog.js";
import { Live, showStatus } from "./live.js";
import { QueueView } from "./queue-view.js";
import { PickCard } from "./pick-card.js";
import { modeName } from "./reveal.js";
import { Removals } from "./removal.js";
import { RoomDialog } from "./room-dialog.js";
import { RoomState } from "./store.js";
import { SwipeDeck } from "./swipe.js";
import { celebrateMatch } from "./tonight.js";
import { TonightPanel } from "./tonight-panel.js";
import { $, CONNECTION, announce, avatar, clock, config, dismissToasts, h, itemFacts, poster, showError, toast, wireInvite } from "./ui.js";

const cfg = config();
useToken(unmasked(cfg.token_masked));
const state = new RoomState();
state.you = cfg.you;
const me = cfg.you.user_id;
const nameOf = (userId) => (userId === me ? _("you") : state.member(userId).name);

// Acting. Each action says in words what went wrong, if anything did; an action with a `key`
// takes its failure's message away once it works.

async function act(run, { success = null, key = null } = {}) {
  try {
    const result = await run();
    if (key) dismissToasts(key);
    if (success) toast(success);
    return result;
  } catch (error) {
    showError(error, { key });
    throw error;
  }
}

function moveCounts(item, from, to) {
  const up = (to === "up") - (from === "up");
  const down = (to === "down") - (from === "down");
  return { ...item, upvotes: item.upvotes + up, downvotes: item.downvotes + down, vote_score: item.vote_score + up - down };
}

const voting = new Set();

// A card's vote button: a second tap on the same one takes the vote back.
function vote(item, kind) {
  if (!item) return Promise.resolve(false);
  return setVote(item, state.myVote(item.id) === kind ? null : kind);
}

// Set this member's vote on an item ("up", "down", or null to withdraw it); resolves to whether
// the server took it. The vote shows at once; the server's answer (or its event) then sets the
// true counts, and a refusal puts back exactly what this vote changed.
async function setVote(item, after) {
  if (!item || voting.has(item.id)) return false;
  const before = state.myVote(item.id);
  if (before === after) return true;
  const voters = state.voteMap(item.id);
  const setMine = (value) => (value ? voters.set(me, value) : voters.delete(me));
  setMine(after);
  state.items.set(item.id, moveCounts(state.items.get(item.id), before, after));
  renderVotes();
  voting.add(item.id);
  try {
    // The true counts come with the vote's event, which may overtake this answer.
    if (after) {
      await api("POST", "/votes", { item_id: item.id, vote: after });
    } else {
      await api("DELETE", `/votes/${item.id}/${encodeURIComponent(me)}`);
    }
    dismissToasts(`vote:${item.id}`);
    return true;
  } catch (error) {
    setMine(before);
    showError(error, { key: `vote:${item.id}` });
    // Undo by reading the true counts: others' votes may have moved them in the meantime.
    try {
      const counts = await api("GET", `/votes/item/${item.id}/counts`);
      if (state.items.has(item.id)) state.items.set(item.id, { ...state.items.get(item.id), ...counts });
    } catch {
      if (state.items.has(item.id)) state.items.set(item.id, moveCounts(state.items.get(item.id), after, before));
    }
    return false;
  } finally {
    voting.delete(item.id);
    renderVotes();
  }
}

function renderVotes() {
  queueView.render();
  swipe.render();
}

async function addItem(fields) {
  try {
    const item = await api("POST", "/queue", { room_id: cfg.room_id, ...fields });
    // Shown at once; but its events may have come first, and they are newer than this answer.
    state.learn(item);
    dismissToasts("add");
    render();
    // The new card is shown where it landed, lit up for a moment.
    if (view === "list") queueView.flash(item.id);
    announce(format(_("Added %(title)s."), { title: item.title }));
  } catch (error) {
    if (error.code === "duplicate_item" && error.body.existing_item) {
      const existing = error.body.existing_item;
      toast(format(_("%(title)s is already in the queue, added by %(name)s."), { title: existing.title, name: nameOf(existing.added_by) }), { kind: "error", key: "add" });
      if (view === "list") queueView.flash(existing.id);
    } else {
      showError(error, { key: "add" });
    }
    throw error;
  }
}

function itemMenu(item) {
  const entries = [];
  if (!state.isOpen()) return entries;
  entries.push({ label: _("Watch it now"), run: () => act(() => api("POST", `/queue/${item.id}/watch`), { key: `item:${item.id}` }) });
  entries.push({ label: _("Mark as watched"), run: () => markWatched(item) });
  if (cfg.tmdb) {
    entries.push({ label: _("Fetch details from TMDB"), run: () => act(() => api("POST", `/queue/${item.id}/enrich`), { success: _("Details are being fetched.") }) });
  }
  if (item.added_by === me || state.isHost()) {
    entries.push({ label: _("Edit title or year"), run: () => editDialog.open(state.items.get(item.id)) });
    entries.push({ label: _("Remove from the queue"), danger: true, run: () => removals.remove(state.items.get(item.id)) });
  }
  return entries;
}

async function markWatched(item) {
  await act(() => api("POST", `/queue/${item.id}/watched`), { key: `item:${item.id}` });
  toast(format(_("%(title)s is in the history now:"), { title: item.title }), { link: { href: `/r/${cfg.room_id}/history`, label: _("rate it there") }, seconds: 10 });
}

// Tonight: seen marks and vetoes, each shown at once from the server's answer.

async function toggleSeen(item) {
  if (!item) return;
  const seen = state.seenBy(item.id).includes(me);
  try {
    const answer = await api(seen ? "DELETE" : "PUT", `/queue/${item.id}/seen/${encodeURIComponent(me)}`);
    state.apply({ type: "seen_update", item_id: answer.item_id, seen_by: answer.seen_by });
    render();
    announce(format(seen ? _("Unmarked: you have not seen %(title)s.") : _("Marked: you have seen %(title)s."), { title: item.title }));
  } catch (error) {
    showError(error);
  }
}

async function toggleVeto(item) {
  if (!item) return;
  const mine = state.vetoesOn(item.id).some((veto) => veto.by === me);
  try {
    state.tonight = await api(mine ? "DELETE" : "POST", `/queue/${item.id}/veto`);
    render();
    const left = state.vetoesLeft();
    announce(format(mine ? _("Veto on %(title)s withdrawn. %(left)s left.") : _("You vetoed %(title)s for tonight. %(left)s left."), { title: item.title, left }));
  } catch (error) {
    showError(error);
  }
}

const detailsSheet = new DetailsSheet({ state, tmdb: cfg.tmdb });
const queueView = new QueueView($("#queue"), { state, actions: { vote, menu: itemMenu, seen: toggleSeen, veto: toggleVeto, details: (item, opener) => detailsSheet.open(item, opener) } });
const tonightPanel = new TonightPanel({ state, cfg, me, onChanged: () => render() });
const pickCard = new PickCard({
  state,
  cfg,
  me,
  nameOf,
  act,
  refreshTonight: () => loadTonight(),
  refreshPreview: (ms) => later(loadPreview, "preview", ms),
  render: () => render(),
});
const addForm = new AddForm($("#add-form"), { tmdb: cfg.tmdb, add: addItem });
const swipe = new SwipeDeck($("#swipe"), { state, vote: setVote, onDone: () => setView("list") });
const dialog = new RoomDialog({ state, cfg, me, onLeft: leave, onReopened: () => live.resume() });
const editDialog = new EditDialog();
const removals = new Removals({ state, render: () => render(), onRestored: (id) => queueView.flash(id) });

// Rendering.

function render() {
  if (!state.room) return;
  document.title = `${state.room.name} · WatchQueue`;
  $("#room-name").textContent = state.room.name;
  renderBanner();
  renderPresence();
  renderNow();
  const count = queueView.render();
  $("#queue-count").textContent = count ? `(${count})` : "";
  $("#queue").hidden = view === "swipe";
  $("#queue-empty").hidden = count > 0 || view === "swipe";
  swipe.render();
  renderRound();
  pickCard.render();
  tonightPanel.render();
  dialog.render();
  detailsSheet.render();
  addForm.setEnabled(state.isOpen() && !state.gone);
}

function renderBanner() {
  const banner = $("#room-banner");
  const messages = {
    removed: _("You were removed from this room."),
    deleted: _("This room was deleted."),
  };
  let text = messages[state.gone] || null;
  if (!text && !state.isOpen()) text = state.isHost() ? _("This room is closed. You can reopen it from the Room menu.") : _("This room is closed: you can look around and rate, not change it.");
  if (banner.dataset.text === (text || "")) return;
  banner.dataset.text = text || "";
  banner.hidden = !text;
  banner.replaceChildren(text || "");
  if (state.gone) banner.append(h("a", { class: "button", href: "/", text: _("Back to the start") }));
}

// Who is here: small faces in the header (with names from a laptop's width up), you first.
const PRESENCE_FACES = 4;
let presenceKey = null;

function renderPresence() {
  const here = [...state.presence].sort((a, b) => (b.user_id === me) - (a.user_id === me));
  const key = JSON.stringify(here.map((user) => [user.user_id, user.name, user.avatar]));
  if (key === presenceKey) return;
  presenceKey = key;
  const list = $("#presence-list");
  list.replaceChildren(
    ...here.map((user) => {
      const name = user.user_id === me ? format(_("%(name)s (you)"), { name: user.name }) : user.name;
      return h("li", { class: user.user_id === me ? "me" : "", title: name }, avatar(user), h("span", { class: "presence-name", text: name }));
    }),
  );
  if (here.length > PRESENCE_FACES) list.append(h("li", { class: "presence-more", "aria-hidden": "true", text: `+${here.length - PRESENCE_FACES}` }));
  if (!here.length) list.append(h("li", { class: "presence-empty", text: _("Nobody else is here yet: share the code.") }));
  list.setAttribute("aria-label", format(_("%(count)s here now"), { count: here.length }));
}

let nowKey = null;

function renderNow() {
  const item = state.watching();
  const section = $("#now-watching");
  section.hidden = !item;
  const key = item ? [item.id, item.title, item.poster_url, item.year, item.runtime_minutes, state.isOpen()].join("|") : null;
  if (!item || key === nowKey) return;
  nowKey = key;
  const actions = state.isOpen()
    ? h(
        "div",
        { class: "votes" },
        h("button", { class: "button primary", type: "button", text: _("We watched it"), onclick: () => markWatched(item) }),
        h("button", { class: "button", type: "button", text: _("Back to the queue"), onclick: () => act(() => api("PATCH", `/queue/${item.id}`, { status: "queued" })) }),
      )
    : "";
  $("#now-body").replaceChildren(
    h("div", { class: "item" }, h("div", { class: "item-poster" }, poster(item)), h("div", {}, h("h3", { class: "item-title", text: item.title }), h("p", { class: "item-meta", text: itemFacts(item) }), actions)),
  );
}

let ticker = null;

// Why a round ended without a pick, in the page's language.
function roundOutcome(round) {
  return phrased(round.outcome_phrase) || round.outcome;
}

function renderRound() {
  const round = state.round;
  const live = Boolean(round && round.status === "open");
  $("#round-idle").hidden = live;
  $("#round-live").hidden = !live;
  const start = $("#round-start");
  const length = durationLabel(state.room.settings.voting_duration_seconds);
  start.textContent = format(_("Start a %(length)s round"), { length });
  start.disabled = !state.isOpen();
  const idleNote = $("#round-idle p");
  idleNote.textContent = round && round.status === "closed" && round.outcome ? roundOutcome(round) : _("Give everyone a set time to vote; when it ends the room's mode picks.");
  // The bar at the bottom of a phone: start a round or pick; the round while it runs; the pick
  // while it stands (pick-card.js words that button).
  const mayEnd = live && (state.isHost() || round.started_by === me);
  const standing = state.standing();
  $("#action-bar").dataset.state = live ? "round" : standing ? "pick" : "idle";
  $("#bar-round").hidden = !live;
  $("#bar-pick").hidden = live;
  const barStart = $("#bar-round-start");
  barStart.hidden = live || Boolean(standing);
  barStart.disabled = !state.isOpen();
  barStart.setAttribute("aria-label", format(_("Start a %(length)s voting round"), { length }));
  $("#bar-round-end").hidden = !mayEnd;
  clearInterval(ticker);
  if (!live) {
    hideRoundBanner();
    return;
  }
  $("#round-end").hidden = !mayEnd;
  $("#round-note").textContent = format(_("Started by %(name)s. Then: %(mode)s."), { name: nameOf(round.started_by), mode: modeName(state.room.settings.selection_mode) });
  const tick = () => {
    const left = state.roundSecondsLeft();
    const countdown = $("#countdown");
    countdown.textContent = left > 0 ? clock(left) : _("Picking…");
    countdown.classList.toggle("ending", left <= 10);
    const share = `scaleX(${Math.max(0, left / state.roundLength())})`;
    $("#round-bar").style.transform = share;
    $("#bar-round-progress").style.transform = share;
    $("#bar-round-text").textContent = left > 0 ? format(_("Vote now · %(time)s"), { time: clock(left) }) : _("Picking…");
    $("#bar-round").classList.toggle("ending", left <= 10);
    const line = $("#round-banner-left");
    if (line) line.textContent = left > 0 ? format(_("%(time)s to vote."), { time: clock(left) }) : _("Picking…");
  };
  tick();
  ticker = setInterval(tick, 250);
}

// A round starting is news for everyone: a banner above everything (a popover, so an open
// dialog does not hide it), said aloud, gone by itself after a few seconds.
const ROUND_BANNER_SECONDS = 8;
let roundBannerTimer = null;

function roundBanner(round) {
  const host = $("#round-banner");
  const who = round.started_by === me ? _("You started a voting round.") : format(_("%(name)s started a voting round."), { name: nameOf(round.started_by) });
  const left = state.roundSecondsLeft();
  const offerSwipe = view !== "swipe" && swipe.left().length > 0 && matchMedia("(max-width: 899px)").matches;
  host.replaceChildren(
    h(
      "div",
      { class: "round-banner-card" },
      h("span", { class: "round-pulse", "aria-hidden": "true" }),
      h("p", { class: "round-banner-text" }, h("strong", { class: "block", text: _("Vote now!") }), `${who} `, h("span", { id: "round-banner-left", text: format(_("%(time)s to vote."), { time: clock(left) }) })),
      h("button", { class: "icon-button", type: "button", "aria-label": _("Dismiss"), text: "✕", onclick: hideRoundBanner }),
      offerSwipe ? h("button", { class: "button swipe-offer", type: "button", text: _("Swipe to vote"), onclick: () => { hideRoundBanner(); setView("swipe"); } }) : "",
    ),
  );
  if (host.matches(":popover-open")) host.hidePopover();
  host.showPopover();
  clearTimeout(roundBannerTimer);
  roundBannerTimer = setTimeout(hideRoundBanner, ROUND_BANNER_SECONDS * 1000);
  announce(`${_("Vote now!")} ${who} ${format(_("%(time)s to vote."), { time: clock(left) })}`, { urgent: true });
}

function hideRoundBanner() {
  clearTimeout(roundBannerTimer);
  const host = $("#round-banner");
  if (host.matches(":popover-open")) host.hidePopover();
}

function durationLabel(seconds) {
  const match = cfg.durations.find((duration) => duration.seconds === seconds);
  return match ? match.label.replace(/ (second|minute)s?$/, (whole, unit) => `-${unit}`) : `${seconds}-second`;
}

// Events from the room, live.

// What a pick would choose among depends on nearly everything: it is fetched again shortly
// after any change, once for a burst of them.
const PREVIEW_AFTER = new Set(["vote", "item", "selection", "round", "presence", "tonight", "seen", "match", "room"]);
const pending = new Map();

function later(run, key, ms = 250) {
  clearTimeout(pending.get(key));
  pending.set(key, setTimeout(run, ms));
}

// Fetch and keep what `path` answers, unless a later fetch of the same thing answered first.
const asked = {};

async function fetchInto(field, path) {
  const number = (asked[field] = (asked[field] || 0) + 1);
  try {
    const answer = await api("GET", path);
    if (number !== asked[field]) return;
    state[field] = answer;
    render();
  } catch (error) {
    // A page no longer in the room (401, 403, 404) is told so by its banner, not by this.
    if (![401, 403, 404].includes(error.status) && !state.gone) troubleOnce(error);
  }
}

const loadTonight = () => fetchInto("tonight", `/rooms/${cfg.room_id}/tonight`);
const loadPreview = () => fetchInto("preview", `/queue/room/${cfg.room_id}/select/preview?mode=${encodeURIComponent(pickCard.mode())}`);

function onEvent(event) {
  const change = state.apply(event);
  removals.follow(change);
  if (change.selection && state.preview) state.preview = { ...state.preview, standing: change.selection };
  render();
  if (PREVIEW_AFTER.has(change.kind)) later(loadPreview, "preview");
  switch (change.kind) {
    case "vote":
      if (change.userId !== me && change.item) {
        announce(format(change.vote === "up" ? _("%(name)s voted up %(title)s. Score %(score)s.") : change.vote ? _("%(name)s voted down %(title)s. Score %(score)s.") : _("%(name)s took back their vote on %(title)s. Score %(score)s."), { name: state.member(change.userId).name, title: change.item.title, score: change.item.vote_score }));
      }
      break;
    case "item":
      if (change.action === "added" && change.item.added_by !== me) announce(format(_("%(name)s added %(title)s."), { name: state.member(change.item.added_by).name, title: change.item.title }));
      if (change.action === "removed" && event.merged_into) {
        const into = state.items.get(event.merged_into);
        toast(format(_("%(title)s is %(other)s, already in the queue: merged into it, with its votes."), { title: change.item.title, other: into ? into.title : _("another film") }));
        if (into) queueView.flash(into.id);
      }
      break;
    case "selection":
      pickCard.show(change.selection);
      break;
    case "round":
      if (change.round.status === "open" && state.roundSecondsLeft() > 0) roundBanner(change.round);
      else if (!change.selection) announce(roundOutcome(change.round) || _("The voting round ended."));
      if (change.selection) pickCard.show(change.selection);
      break;
    case "presence":
      if (change.user && change.user.user_id !== me) announce(format(change.type === "user_joined" ? _("%(name)s is here.") : _("%(name)s left."), { name: change.user.name }));
      // Who is in follows who is connected (before any evening is under way, no event says so).
      later(loadTonight, "tonight");
      break;
    case "tonight":
      if (!change.complete) later(loadTonight, "tonight");
      if (change.newEvening) announce(_("A new evening has started: vetoes, who's in and matches start afresh."));
      break;
    case "match":
      if (change.matched) celebrateMatch({ eveningId: state.tonight && state.tonight.evening && state.tonight.evening.id, itemId: change.itemId, title: change.title, attendees: change.attendees });
      break;
    case "gone":
      gone(state.gone);
      break;
    default:
  }
}

function gone(why) {
  forgetToken(cfg.room_id);
  live.stop();
  state.gone = why === "deleted" || why === "room_deleted" ? "deleted" : "removed";
  showStatus(state.gone);
  for (const open of document.querySelectorAll("dialog[open]")) open.close();
  render();
  for (const control of document.querySelectorAll("main button, main input, main select")) {
    if (!control.closest("#room-banner, dialog")) control.disabled = true;
  }
}

async function leave() {
  live.stop();
  await forgetToken(cfg.room_id);
  location.assign("/");
}

// Controls that are not per item.

const startRound = () => act(() => api("POST", `/rooms/${cfg.room_id}/round`, {}), { key: "round" });
const endRound = () => act(() => api("POST", `/rooms/${cfg.room_id}/round/end`), { key: "round" });
$("#round-start").addEventListener("click", startRound);
$("#round-end").addEventListener("click", endRound);
$("#bar-round-start").addEventListener("click", startRound);
$("#bar-round-end").addEventListener("click", endRound);

// The queue as a list, or as a stack of cards to swipe (those not voted on yet).
let view = "list";

function setView(next, { focus = true } = {}) {
  if (next === view) return;
  view = next;
  const swiping = view === "swipe";
  $("#view-list").setAttribute("aria-pressed", String(!swiping));
  $("#view-swipe").setAttribute("aria-pressed", String(swiping));
  document.body.classList.toggle("swiping", swiping);
  if (swiping) {
    swipe.open();
    $("#queue-title").scrollIntoView({ block: "start", behavior: "smooth" });
    if (focus) swipe.focus();
  } else {
    swipe.close();
    if (focus) $("#view-list").focus();
  }
  render();
}

$("#view-list").addEventListener("click", () => setView("list"));
$("#view-swipe").addEventListener("click", () => setView("swipe"));

const invite = $("#invite-dialog");
wireInvite(invite);
$("#invite-button").addEventListener("click", () => invite.showModal());
if (new URLSearchParams(location.search).has("invite")) {
  history.replaceState(null, "", location.pathname);
  invite.showModal();
}

// Trouble reaching the room: one message, replaced rather than stacked, gone once it is live.
function troubleOnce(error) {
  showError(error, { key: CONNECTION });
}

const live = new Live({
  roomId: cfg.room_id,
  userId: me,
  heartbeatSeconds: cfg.heartbeat_seconds,
  onSnapshot: async (snapshot) => {
    state.load(snapshot);
    if (!state.you) state.you = cfg.you;
    render();
    await Promise.all([loadTonight(), loadPreview()]);
  },
  onEvent,
  onStatus: showStatus,
  onTrouble: troubleOnce,
  onGone: (error) => gone(error.code === "room_deleted" || error.status === 404 ? "deleted" : "removed"),
});
live.start();
