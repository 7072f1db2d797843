// A film's or show's details, opened from its queue card: a sheet from the bottom on a phone, a
// dialog in the middle on wider screens. It shows what TMDB told the server (the item's
// `details` and `providers`) and what the item itself has, and says in words what is unknown.
// It follows the item while open: details that arrive from TMDB fill it in.
import { _, format, language, listWords, ngettext } from "./i18n.js";
import { h, poster, runtime } from "./ui.js";

const KIND = { movie: _("Film"), tv: _("Show") };

export class DetailsSheet {
  constructor({ state, tmdb }) {
    this.state = state;
    this.tmdb = tmdb;
    this.dialog = document.getElementById("details-sheet");
    this.body = document.getElementById("details-body");
    this.item = null;
    this.opener = null;
    this.key = null;
    this.dialog.addEventListener("close", () => this.closed());
    // A tap outside the sheet (on the dimmed page) closes it.
    this.dialog.addEventListener("click", (event) => {
      if (event.target === this.dialog) this.dialog.close();
    });
  }

  // `opener` gets the focus back when the sheet closes.
  open(item, opener) {
    if (!item) return;
    this.item = item;
    this.opener = opener || document.activeElement;
    this.key = null;
    this.render();
    this.dialog.showModal();
    this.body.scrollTop = 0;
  }

  render() {
    if (!this.item) return;
    const current = this.state.items.get(this.item.id);
    const gone = !current;
    this.item = current || this.item;
    // Drawn again only when what it shows changes, not for every vote on the item.
    const { title, year, media_type: kind, runtime_minutes: minutes, overview, poster_url: poster, backdrop_url: backdrop, genres, providers, details, enrichment, enrichment_error: error } = this.item;
    const key = JSON.stringify([title, year, kind, minutes, overview, poster, backdrop, genres, providers, details, enrichment, error, gone]);
    if (key === this.key) return;
    this.key = key;
    const focused = this.body.contains(document.activeElement) ? document.activeElement.dataset.focusKey : null;
    this.body.replaceChildren(...content(this.item, { gone, tmdb: this.tmdb }));
    // A link that had the focus keeps it when the sheet is drawn again.
    const again = focused && this.body.querySelector(`[data-focus-key="${focused}"]`);
    if (again) again.focus({ preventScroll: true });
  }

  closed() {
    const { opener } = this;
    this.item = null;
    this.opener = null;
    if (opener && opener.isConnected) opener.focus({ preventScroll: true });
  }
}

function content(item, { gone, tmdb }) {
  const details = item.details || {};
  const providers = item.providers || {};
  const show = item.media_type === "tv";
  const cast = details.cast || [];
  const makers = (show ? details.creators : details.directors) || [];
  const seasons = show ? details.seasons || [] : [];
  // Services that both rent and sell it (as most stores do) are listed once.
  const sameStores = JSON.stringify(providers.rent || []) === JSON.stringify(providers.buy || []);
  const stores = sameStores ? [[_("Rent or buy"), providers.rent]] : [[_("Rent"), providers.rent], [_("Buy"), providers.buy]];
  const groups = [[_("Stream"), providers.stream], ...stores].filter(([, names]) => names && names.length);

  const parts = [hero(item, details)];
  if (gone) parts.push(h("p", { class: "details-note", text: _("This is no longer in the queue.") }));
  const note = enrichmentNote(item, tmdb);
  if (note) parts.push(h("p", { class: "details-note", text: note }));
  if (details.trailer_url) {
    parts.push(
      h(
        "div",
        { class: "details-actions" },
        h("a", { class: "button primary", href: details.trailer_url, target: "_blank", rel: "noopener noreferrer", dataset: { focusKey: "trailer" } }, h("span", { "aria-hidden": "true", text: "▶\uFE0E" }), _("Watch the trailer")),
      ),
    );
  }
  // Beside each other on a wide screen: what it is, and where to watch it (and a show's seasons).
  const main = [];
  const side = [];
  if (item.overview) main.push(h("p", { class: "details-overview", text: item.overview }));
  if (cast.length) {
    main.push(section(_("Cast"), h("ul", { class: "details-cast" }, cast.map((person) => h("li", {}, h("strong", { text: person.name }), person.character ? h("span", { text: person.character }) : "")))));
  }
  if (makers.length) {
    const title = show ? _("Created by") : makers.length > 1 ? _("Directors") : _("Director");
    main.push(section(title, h("p", { class: "details-makers", text: makers.join(", ") })));
  }
  if (groups.length) side.push(watchSection(providers, groups));
  else if (providers.link) side.push(section(_("Where to watch"), watchLink(providers)));
  if (seasons.length) side.push(seasonsSection(details, seasons));
  if (main.length || side.length) {
    parts.push(h("div", { class: side.length ? "details-columns two" : "details-columns" }, h("div", { class: "details-main" }, main), side.length ? h("div", { class: "details-side" }, side) : ""));
  }

  // Whatever is not known is said, in the order the sheet would show it.
  const missing = [
    [!item.overview, _("the synopsis")],
    [typeof details.score !== "number", _("a TMDB score")],
    [!cast.length, _("the cast")],
    [!makers.length, show ? _("who created it") : _("the director")],
    [show && !seasons.length, _("the seasons")],
    [!details.trailer_url, _("a trailer")],
    [!groups.length, _("where to watch it")],
  ].filter(([unknown]) => unknown);
  if (missing.length) parts.push(h("p", { class: "details-unknown", text: format(_("Not known: %(what)s."), { what: list(missing.map(([, what]) => what)) }) }));
  return parts;
}

function hero(item, details) {
  const show = item.media_type === "tv";
  const facts = [item.year, KIND[item.media_type] || _("Film")];
  if (show && details.number_of_seasons) facts.push(format(ngettext("%(count)s season", "%(count)s seasons", details.number_of_seasons), { count: number(details.number_of_seasons) }));
  const length = runtime(item.runtime_minutes);
  if (length) facts.push(show ? format(_("%(length)s an episode"), { length }) : length);
  const heading = h(
    "div",
    { class: "details-heading" },
    h("h2", { id: "details-title", text: item.title }),
    // Each fact whole on its line: a narrow screen wraps between them, never inside one.
    h("p", { class: "details-facts" }, facts.filter(Boolean).flatMap((fact, index) => [index ? " · " : "", h("span", { text: fact })])),
    score(details),
    (item.genres || []).length ? h("ul", { class: "item-genres", "aria-label": _("Genres") }, item.genres.map((genre) => h("li", { text: genre }))) : "",
  );
  const head = h("div", { class: "details-head" }, h("div", { class: "details-poster" }, poster(item)), heading);
  if (!item.backdrop_url) return h("div", { class: "details-hero" }, head);
  const backdrop = h("img", { class: "details-backdrop", src: item.backdrop_url, alt: "", decoding: "async" });
  const wrap = h("div", { class: "details-hero with-backdrop" }, backdrop, head);
  // Offline on a LAN the picture cannot load: the sheet does without it.
  backdrop.addEventListener("error", () => {
    backdrop.remove();
    wrap.classList.remove("with-backdrop");
  }, { once: true });
  return wrap;
}

function score(details) {
  if (typeof details.score !== "number") return "";
  const value = details.score.toFixed(1);
  const votes = details.votes ? format(ngettext("%(count)s vote", "%(count)s votes", details.votes), { count: number(details.votes) }) : "";
  return h(
    "p",
    { class: "details-score", "aria-label": votes ? format(_("TMDB score %(value)s out of 10, from %(votes)s"), { value, votes }) : format(_("TMDB score %(value)s out of 10"), { value }) },
    h("span", { class: "details-score-value" }, h("span", { "aria-hidden": "true", text: "★ " }), value, h("small", { text: "/10" })),
    " ",
    h("span", { class: "details-score-source", text: votes ? format(_("on TMDB · %(votes)s"), { votes }) : _("on TMDB") }),
  );
}

function seasonsSection(details, seasons) {
  const count = details.number_of_seasons || seasons.length;
  return section(
    format(ngettext("%(count)s season", "%(count)s seasons", count), { count: number(count) }),
    h(
      "ol",
      { class: "details-seasons" },
      seasons.map((season) =>
        h(
          "li",
          {},
          h("span", { class: "season-name", text: season.name }),
          h("span", { class: "muted", text: season.episodes === null || season.episodes === undefined ? "" : format(ngettext("%(count)s episode", "%(count)s episodes", season.episodes), { count: number(season.episodes) }) }),
          h("span", { class: "muted", text: season.year || "" }),
        ),
      ),
    ),
  );
}

function watchSection(providers, groups) {
  const logos = new Map((providers.services || []).map((service) => [service.name, service.logo_url]));
  return section(
    providers.region ? format(_("Where to watch (%(region)s)"), { region: providers.region }) : _("Where to watch"),
    groups.map(([label, names]) =>
      h(
        "div",
        { class: "watch-group" },
        h("h4", { text: label }),
        h(
          "ul",
          { class: "watch-list", "aria-label": label },
          names.map((name) => {
            const logo = logos.get(name);
            const image = logo ? h("img", { class: "watch-logo", src: logo, alt: "", width: "32", height: "32", decoding: "async" }) : "";
            if (image) image.addEventListener("error", () => image.remove(), { once: true });
            return h("li", {}, image, h("span", { text: name }));
          }),
        ),
      ),
    ),
    watchLink(providers),
    h("p", { class: "hint", text: _("Where to watch comes from JustWatch, through TMDB.") }),
  );
}

function watchLink(providers) {
  if (!providers.link) return "";
  return h("a", { class: "button watch-link", href: providers.link, target: "_blank", rel: "noopener noreferrer", dataset: { focusKey: "watch" } }, _("All options on TMDB"));
}

function section(title, ...children) {
  return h("section", { class: "details-section" }, h("h3", { text: title }), ...children.flat());
}

// What the card's note says about TMDB, for the sheet: why there is little to show, if so.
function enrichmentNote(item, tmdb) {
  switch (item.enrichment) {
    case "pending":
      return _("Fetching details from TMDB…");
    case "failed":
      return format(_("No details from TMDB: %(error)s."), { error: item.enrichment_error || _("it did not answer") });
    case "unmatched":
    case "duplicate":
      return item.enrichment_error || _("TMDB has no single match for this title.");
    case "enriched":
      // Filled in before the server kept details: asking TMDB again brings them.
      return Object.keys(item.details || {}).length ? null : _("More details come when TMDB is asked again: Fetch details from TMDB, in the card's ⋯ menu.");
    default:
      return tmdb ? null : _("TMDB is not set up on this server: only what was typed in is known.");
  }
}

function number(count) {
  return Number(count).toLocaleString(language);
}

const list = (words) => listWords(words, "and");
