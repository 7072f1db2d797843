// What the room watched: when, how it was chosen, everyone's stars and notes, and your own
// rating to set. Ratings others give appear as they are given. Beside it, the group's taste.
import { _, format, language, ngettext } from "./i18n.js";
import { api, unmasked, useToken } from "./api.js";
import { Live, showStatus } from "./live.js";
import { modeName } from "./reveal.js";
import { RoomState } from "./store.js";
import { $, announce, avatar, config, h, poster, relativeDay, showError, stars, toast } from "./ui.js";

const PAGE = 20;
const cfg = config();
useToken(unmasked(cfg.token_masked));
const state = new RoomState();
const me = cfg.you ? cfg.you.user_id : null;
const entries = new Map(); // id -> { entry, element, refs }
let loaded = 0;

function howChosen(entry) {
  if (!entry.selection) return _("Chosen by hand");
  const name = modeName(entry.selection.mode);
  // English writes the mode in the middle of a sentence in small letters; German keeps its nouns.
  const mode = language === "en" ? name.toLowerCase() : name;
  if (entry.selection.selected_by) {
    return format(_("Picked by %(mode)s, run by %(name)s"), { mode, name: state.member(entry.selection.selected_by).name });
  }
  return format(_("Picked by %(mode)s at the end of a voting round"), { mode });
}

function build(entry) {
  const refs = {};
  const element = h(
    "li",
    { class: "entry", dataset: { id: entry.id } },
    h("div", {}, poster(entry)),
    h(
      "div",
      { class: "entry-body" },
      h("h3", { text: entry.year ? `${entry.title} (${entry.year})` : entry.title }),
      (refs.meta = h("p", { class: "entry-meta" })),
      (refs.average = h("p", { class: "average" })),
      (refs.ratings = h("ul", { class: "ratings", "aria-label": _("Ratings") })),
      me && !state.gone ? (refs.form = rateForm(entry)) : "",
    ),
  );
  return { entry, element, refs };
}

function rateForm(entry) {
  const group = `rating-${entry.id}`;
  const starInput = h("div", { class: "star-input" });
  for (let value = 1; value <= 5; value += 1) {
    const id = `${group}-${value}`;
    starInput.append(
      h("input", { type: "radio", name: "rating", id, value }),
      h("label", { for: id, title: starWords(value) }, h("span", { "aria-hidden": "true", text: "★" }), h("span", { class: "visually-hidden", text: starWords(value) })),
    );
  }
  const note = h("textarea", { name: "note", maxlength: 1000, id: `${group}-note`, placeholder: _("A line about it (optional)") });
  const remove = h("button", { class: "button", type: "button", text: _("Remove my rating"), hidden: true });
  const form = h(
    "form",
    { class: "rate-form" },
    h("fieldset", {}, h("legend", { text: _("Your rating") }), starInput),
    h("label", { for: note.id, class: "visually-hidden", text: _("Your note") }),
    note,
    h("div", { class: "rate-actions" }, h("button", { class: "button primary", type: "submit", text: _("Save") }), remove),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=rating]:checked");
    if (!chosen) {
      toast(_("Choose from one to five stars first."), { kind: "error" });
      starInput.querySelector("input").focus();
      return;
    }
    try {
      const saved = await api("PUT", `/history/${entry.id}/ratings/${encodeURIComponent(me)}`, { rating: Number(chosen.value), note: note.value });
      form.dataset.dirty = "";
      update(saved);
      toast(_("Rating saved."));
    } catch (error) {
      showError(error);
    }
  });
  form.addEventListener("input", () => { form.dataset.dirty = "yes"; });
  remove.addEventListener("click", async () => {
    try {
      await api("DELETE", `/history/${entry.id}/ratings/${encodeURIComponent(me)}`);
      form.reset();
      form.dataset.dirty = "";
      update(await api("GET", `/history/${entry.id}`));
    } catch (error) {
      showError(error);
    }
  });
  return form;
}

function update(entry) {
  let card = entries.get(entry.id);
  if (!card) {
    card = build(entry);
    entries.set(entry.id, card);
  }
  card.entry = entry;
  const { refs } = card;
  const added = state.member(entry.added_by).name;
  refs.meta.textContent = format(_("Watched %(when)s · %(how)s · added by %(name)s"), { when: relativeDay(entry.watched_at), how: howChosen(entry), name: added });
  refs.average.replaceChildren(
    entry.rating_count
      ? h("span", {}, stars(entry.average_rating, format(_("Average %(average)s out of 5 stars"), { average: entry.average_rating })), " ", format(ngettext("%(average)s from %(count)s rating", "%(average)s from %(count)s ratings", entry.rating_count), { average: entry.average_rating, count: entry.rating_count }))
      : h("span", { class: "muted", text: _("Nobody has rated it yet.") }),
  );
  refs.ratings.replaceChildren(
    ...Object.values(entry.ratings).map((rating) => {
      const member = state.member(rating.user_id);
      return h(
        "li",
        {},
        avatar(member),
        h("span", {}, h("strong", { text: rating.user_id === me ? _("You") : member.name }), " ", stars(rating.rating, format(_("%(stars)s out of 5 stars"), { stars: rating.rating }))),
        rating.note ? h("span", { class: "note", text: rating.note }) : "",
      );
    }),
  );
  if (refs.form && !refs.form.dataset.dirty) {
    const mine = entry.ratings[me];
    refs.form.reset();
    if (mine) {
      refs.form.querySelector(`input[value="${mine.rating}"]`).checked = true;
      refs.form.elements.note.value = mine.note;
    }
    refs.form.querySelector(".rate-actions .button:not(.primary)").hidden = !mine;
  }
  return card;
}

function place(list) {
  const ordered = [...entries.values()].sort((a, b) => b.entry.watched_at.localeCompare(a.entry.watched_at) || b.entry.id.localeCompare(a.entry.id));
  ordered.forEach((card, index) => {
    if (list.children[index] !== card.element) list.insertBefore(card.element, list.children[index] || null);
  });
  $("#history-empty").hidden = entries.size > 0;
}

async function loadPage() {
  const more = $("#history-more");
  try {
    const page = await api("GET", `/history/room/${cfg.room_id}?limit=${PAGE}&offset=${loaded}`);
    loaded += page.length;
    for (const entry of page) update(entry);
    place($("#history"));
    more.hidden = page.length < PAGE;
  } catch (error) {
    showError(error);
  }
}

$("#history-more").addEventListener("click", loadPage);

// The group's taste: top genres by the stars they got, each member's picks in turn order, and
// who rates alike. Fetched again (once for a burst) whenever a rating or a watch arrives.
const GENRES_SHOWN = 5;
const PAIRS_SHOWN = 5;
let tasteAsked = 0;
let tasteTimer = null;

function starWords(count) {
  return format(ngettext("%(count)s star", "%(count)s stars", count), { count });
}

function counted(text, count) {
  return format(text, { count });
}

// A bar for the eye; the number beside it is what a screen reader reads.
function meter(percent) {
  const fill = h("span");
  fill.style.width = `${Math.max(0, Math.min(100, percent))}%`;
  return h("span", { class: "taste-meter", "aria-hidden": "true" }, fill);
}

function whoIs(member) {
  return member.user_id === me ? format(_("%(name)s (you)"), { name: member.name }) : member.name;
}

function genreRow(genre) {
  return h(
    "li",
    {},
    h("span", { class: "taste-name", text: genre.genre }),
    h("span", { class: "taste-value" }, h("span", { class: "stars", "aria-hidden": "true", text: "★" }), ` ${average(genre.average_rating)}`),
    meter((genre.average_rating / 5) * 100),
    h("span", { class: "taste-detail", text: format(_("%(ratings)s of %(films)s"), { ratings: counted(ngettext("%(count)s rating", "%(count)s ratings", genre.ratings), genre.ratings), films: counted(ngettext("%(count)s film", "%(count)s films", genre.entries), genre.entries) }) }),
  );
}

function average(value) {
  return Number.isInteger(value) ? value.toFixed(1) : String(value);
}

function memberRow(row, position, given) {
  const picks = row.watched
    ? format(ngettext("%(count)s pick watched", "%(count)s picks watched", row.watched), { count: row.watched }) +
      " · " +
      (row.average_rating === null ? _("not rated yet") : format(_("★\u00a0%(average)s\u00a0avg"), { average: average(row.average_rating) }))
    : _("No pick watched yet");
  const since = row.evenings_since_last
    ? format(ngettext("%(count)s evening ago", "%(count)s evenings ago", row.evenings_since_last), { count: row.evenings_since_last })
    : _("in the latest evening");
  return h(
    "li",
    { class: row.user_id === me ? "me" : "" },
    h("span", { class: "taste-position", "aria-hidden": "true", text: String(position) }),
    avatar(row),
    h(
      "span",
      { class: "taste-who" },
      h("strong", { text: whoIs(row) }),
      position === 1 ? [" ", h("span", { class: "badge", text: _("First in line") })] : "",
      h("span", { class: "taste-detail block", text: picks }),
      row.last_watched_title ? h("span", { class: "taste-detail block muted", text: format(_("Last: %(title)s, %(since)s"), { title: row.last_watched_title, since }) }) : "",
      given && given.count ? h("span", { class: "taste-detail block muted", text: format(ngettext("Gave %(count)s rating · ★\u00a0%(average)s\u00a0avg", "Gave %(count)s ratings · ★\u00a0%(average)s\u00a0avg", given.count), { count: given.count, average: average(given.average_rating) }) }) : "",
    ),
  );
}

function pairRow(pair, people) {
  const [a, b] = pair.user_ids.map((id) => people.get(id) || state.member(id));
  return h(
    "li",
    {},
    h("span", { class: "taste-duo", "aria-hidden": "true" }, avatar(a, { small: true }), avatar(b, { small: true })),
    h("span", { class: "taste-name", text: `${whoIs(a)} & ${whoIs(b)}` }),
    h("span", { class: "taste-value", text: format(_("%(percent)s%% alike"), { percent: pair.similarity }) }),
    meter(pair.similarity),
    h("span", { class: "taste-detail", text: pair.mean_difference === 0 ? format(ngettext("%(count)s film rated by both, always the same stars", "%(count)s films rated by both, always the same stars", pair.shared), { count: pair.shared }) : format(ngettext("%(films)s rated by both, %(count)s star apart on average", "%(films)s rated by both, %(count)s stars apart on average", pair.mean_difference), { films: counted(ngettext("%(count)s film", "%(count)s films", pair.shared), pair.shared), count: pair.mean_difference }) }),
  );
}

function showTaste(ledger, taste) {
  const people = new Map(taste.members.map((member) => [member.user_id, member]));
  $("#taste-summary").textContent = taste.ratings
    ? format(_("From %(ratings)s of %(films)s watched."), { ratings: counted(ngettext("%(count)s rating", "%(count)s ratings", taste.ratings), taste.ratings), films: counted(ngettext("%(count)s film", "%(count)s films", taste.entries), taste.entries) })
    : taste.entries
      ? format(ngettext("%(count)s film watched, none rated yet.", "%(count)s films watched, none rated yet.", taste.entries), { count: taste.entries })
      : _("Nothing watched yet.");
  const genres = taste.genres.slice(0, GENRES_SHOWN);
  $("#taste-genres").replaceChildren(...genres.map(genreRow));
  $("#taste-genres-empty").hidden = genres.length > 0;
  $("#taste-members").replaceChildren(
    ...ledger.members.map((row, index) => {
      const given = people.get(row.user_id);
      return memberRow(row, index + 1, given && given.given);
    }),
  );
  $("#taste-rule").textContent = ledger.rule;
  const pairs = taste.agreement.slice(0, PAIRS_SHOWN);
  $("#taste-pairs").replaceChildren(...pairs.map((pair) => pairRow(pair, people)));
  $("#taste-pairs-empty").hidden = pairs.length > 0;
  $("#taste").setAttribute("aria-busy", "false");
}

async function loadTaste() {
  const asked = ++tasteAsked;
  try {
    const [ledger, taste] = await Promise.all([api("GET", `/rooms/${cfg.room_id}/ledger`), api("GET", `/rooms/${cfg.room_id}/taste`)]);
    // An older answer that arrives after a newer one is dropped.
    if (asked === tasteAsked) showTaste(ledger, taste);
  } catch (error) {
    showError(error);
  }
}

function tasteChanged() {
  clearTimeout(tasteTimer);
  tasteTimer = setTimeout(loadTaste, 400);
}

const live = new Live({
  roomId: cfg.room_id,
  userId: me,
  heartbeatSeconds: cfg.heartbeat_seconds,
  onSnapshot: async (snapshot) => {
    state.load(snapshot);
    $("#room-name").textContent = state.room.name;
    // The first load, or back after a drop: the entries on screen are fetched again and
    // updated where they stand (a note being typed stays), before any event is taken.
    const count = Math.max(PAGE, loaded);
    try {
      const page = await api("GET", `/history/room/${cfg.room_id}?limit=${Math.min(200, count)}&offset=0`);
      loaded = Math.max(loaded, page.length);
      for (const entry of page) update(entry);
      place($("#history"));
      $("#history-more").hidden = page.length < count;
    } catch (error) {
      showError(error);
    }
    loadTaste();
  },
  onEvent: (event) => {
    const change = state.apply(event);
    if (change.kind === "history") {
      update(change.entry);
      place($("#history"));
      if (change.action === "added") announce(format(_("%(title)s was marked watched."), { title: change.entry.title }));
      tasteChanged();
    } else if (change.kind === "members") {
      tasteChanged();
    } else if (change.kind === "room") {
      $("#room-name").textContent = state.room.name;
    } else if (change.kind === "gone") {
      live.stop();
      showStatus(state.gone);
      toast(state.gone === "deleted" ? _("This room was deleted.") : _("You were removed from this room."), { kind: "error", seconds: 0 });
    }
  },
  onStatus: showStatus,
  onGone: (error) => {
    showStatus(error.status === 404 || error.code === "room_deleted" ? "deleted" : "removed");
    toast(_("You are no longer in this room."), { kind: "error", seconds: 0 });
  },
});
live.start();
