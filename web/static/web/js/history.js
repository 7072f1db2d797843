// What the room watched: when, how it was chosen, everyone's stars and notes, and your own
// rating to set. Ratings others give appear as they are given.
import { api, useToken } from "./api.js";
import { Live, showStatus } from "./live.js";
import { modeName } from "./reveal.js";
import { RoomState } from "./store.js";
import { $, announce, avatar, config, h, poster, relativeDay, showError, toast } from "./ui.js";

const PAGE = 20;
const cfg = config();
useToken(cfg.token);
const state = new RoomState();
const me = cfg.you ? cfg.you.user_id : null;
const entries = new Map(); // id -> { entry, element, refs }
let loaded = 0;

function stars(value, label) {
  const full = Math.round(value);
  return h(
    "span",
    { class: "stars", role: "img", "aria-label": label },
    h("span", { "aria-hidden": "true", text: "★".repeat(full) }),
    h("span", { class: "off", "aria-hidden": "true", text: "★".repeat(5 - full) }),
  );
}

function howChosen(entry) {
  if (!entry.selection) return "Chosen by hand";
  const by = entry.selection.selected_by ? `, run by ${state.member(entry.selection.selected_by).name}` : " at the end of a voting round";
  return `Picked by ${modeName(entry.selection.mode).toLowerCase()}${by}`;
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
      (refs.ratings = h("ul", { class: "ratings", "aria-label": "Ratings" })),
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
      h("label", { for: id, title: `${value} star${value > 1 ? "s" : ""}` }, h("span", { "aria-hidden": "true", text: "★" }), h("span", { class: "visually-hidden", text: `${value} star${value > 1 ? "s" : ""}` })),
    );
  }
  const note = h("textarea", { name: "note", maxlength: 1000, id: `${group}-note`, placeholder: "A line about it (optional)" });
  const remove = h("button", { class: "button", type: "button", text: "Remove my rating", hidden: true });
  const form = h(
    "form",
    { class: "rate-form" },
    h("fieldset", {}, h("legend", { text: "Your rating" }), starInput),
    h("label", { for: note.id, class: "visually-hidden", text: "Your note" }),
    note,
    h("div", { class: "rate-actions" }, h("button", { class: "button primary", type: "submit", text: "Save" }), remove),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = form.querySelector("input[name=rating]:checked");
    if (!chosen) {
      toast("Choose from one to five stars first.", { kind: "error" });
      starInput.querySelector("input").focus();
      return;
    }
    try {
      const saved = await api("PUT", `/history/${entry.id}/ratings/${encodeURIComponent(me)}`, { rating: Number(chosen.value), note: note.value });
      form.dataset.dirty = "";
      update(saved);
      toast("Rating saved.");
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
  refs.meta.textContent = `Watched ${relativeDay(entry.watched_at)} · ${howChosen(entry)} · added by ${added}`;
  refs.average.replaceChildren(
    entry.rating_count
      ? h("span", {}, stars(entry.average_rating, `${entry.average_rating} out of 5`), ` ${entry.average_rating} from ${entry.rating_count} rating${entry.rating_count > 1 ? "s" : ""}`)
      : h("span", { class: "muted", text: "Nobody has rated it yet." }),
  );
  refs.ratings.replaceChildren(
    ...Object.values(entry.ratings).map((rating) => {
      const member = state.member(rating.user_id);
      return h(
        "li",
        {},
        avatar(member),
        h("span", {}, h("strong", { text: rating.user_id === me ? "You" : member.name }), " ", stars(rating.rating, `${rating.rating} out of 5`)),
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
  },
  onEvent: (event) => {
    const change = state.apply(event);
    if (change.kind === "history") {
      update(change.entry);
      place($("#history"));
      if (change.action === "added") announce(`${change.entry.title} was marked watched.`);
    } else if (change.kind === "room") {
      $("#room-name").textContent = state.room.name;
    } else if (change.kind === "gone") {
      live.stop();
      toast(state.gone === "deleted" ? "This room was deleted." : "You were removed from this room.", { kind: "error", seconds: 0 });
    }
  },
  onStatus: showStatus,
  onGone: () => toast("You are no longer in this room.", { kind: "error", seconds: 0 }),
});
live.start();
