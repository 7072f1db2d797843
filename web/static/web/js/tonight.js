// Tonight, in words and in moments the room shares: the constraints as one short line, the
// finish-by time as the server takes it, why an item is left out, and the celebration when
// everyone in wants the same film. Shared by the room's page and the TV.
import { _, format, listWords, ngettext, phrased } from "./i18n.js";
import { announce, h, runtime } from "./ui.js";

const MEDIA_WORDS = { movie: _("Films only"), tv: _("Shows only") };
const CELEBRATE_SECONDS = 10;

// "23:30" as the next such moment, in ISO 8601 with this browser's offset from UTC.
export function finishByIso(time, now = new Date()) {
  const [hours, minutes] = time.split(":").map(Number);
  const at = new Date(now.getFullYear(), now.getMonth(), now.getDate(), hours, minutes);
  if (at <= now) at.setDate(at.getDate() + 1);
  const pad = (number) => String(number).padStart(2, "0");
  const east = -at.getTimezoneOffset();
  const offset = `${east < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(east) / 60))}:${pad(Math.abs(east) % 60)}`;
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(hours)}:${pad(minutes)}:00${offset}`;
}

// The finish-by time on the clock of whoever set it ("23:30"), as the server's reasons say it.
export function finishByClock(iso) {
  const found = iso ? /T(\d\d:\d\d)/.exec(iso) : null;
  return found ? found[1] : "";
}

const list = listWords;

// Tonight's constraints as short phrases: ["3 in", "done by 23:30", "Films only", "no Horror"].
export function constraintsParts(tonight) {
  if (!tonight) return [];
  const c = tonight.constraints;
  const parts = [format(_("%(count)s in"), { count: tonight.attendees.length })];
  if (c.finish_by) parts.push(format(_("done by %(time)s"), { time: finishByClock(c.finish_by) }));
  if (c.max_runtime_minutes) parts.push(format(_("up to %(length)s"), { length: runtime(c.max_runtime_minutes) }));
  if (MEDIA_WORDS[c.media]) parts.push(MEDIA_WORDS[c.media]);
  if (c.genres_include.length) parts.push(list(c.genres_include, "or"));
  if (c.genres_exclude.length) parts.push(format(_("no %(genres)s"), { genres: list(c.genres_exclude, "or") }));
  if (c.streamable_only) parts.push(tonight.services.length ? format(_("on %(services)s"), { services: list(tonight.services, "or") }) : _("streamable only"));
  if (parts.length === 1) parts.push(_("anything goes"));
  return parts;
}

// Why an item is left out, as one line: "too long to finish by 23:30 (148 min); seen by 2 of 3".
export function reasonsText(reasons, { skip = [] } = {}) {
  return reasons
    .filter((reason) => !skip.includes(reason.code))
    .map((reason) => phrased(reason) || reason.text)
    .join("; ");
}

// "Vetoed by Bob", "Vetoed by you and Bob", "Vetoed by Bob and 1 other", or "Vetoed".
export function vetoedText(vetoes, nameOf) {
  if (!vetoes.length) return "";
  const names = vetoes.filter((veto) => veto.by).map((veto) => nameOf(veto.by));
  const hidden = vetoes.length - names.length;
  if (!names.length) return _("Vetoed");
  if (hidden) names.push(format(ngettext("%(count)s other", "%(count)s others", hidden), { count: hidden }));
  return format(_("Vetoed by %(names)s"), { names: list(names, "and") });
}

// The list of what tonight leaves out, each with all its reasons.
export function excludedList(excluded) {
  return h(
    "ul",
    { class: "why-list" },
    excluded.map((entry) => h("li", {}, h("strong", { text: entry.title }), h("span", { class: "block", text: reasonsText(entry.reasons) }))),
  );
}

// Celebrate a match once per evening and item, on every screen: a banner above everything (a
// popover, so an open dialog does not hide it), and the news said aloud.
const celebrated = new Set();
let closeTimer = null;

export function celebrateMatch({ eveningId, itemId, title, attendees }) {
  const key = `${eveningId || ""}:${itemId}`;
  if (celebrated.has(key)) return false;
  celebrated.add(key);
  const host = document.getElementById("match-banner");
  if (!host) return true;
  const wants = attendees === 2 ? _("Both of you want %(title)s.") : attendees > 2 ? _("All %(count)s of you want %(title)s.") : _("You want %(title)s.");
  const said = format(wants, { count: attendees, title });
  const text = `${_("It's a match!")} ${said}`;
  const close = h("button", { class: "icon-button", type: "button", "aria-label": _("Dismiss"), text: "✕" });
  const confetti = h(
    "span",
    { class: "confetti", "aria-hidden": "true" },
    ["🎉", "🍿", "✨", "🎬", "💛", "🎉", "✨", "🍿"].map((glyph, index) => {
      // Through the CSSOM: the site's policy refuses inline style attributes.
      const piece = h("span", { text: glyph });
      piece.style.setProperty("--i", String(index));
      return piece;
    }),
  );
  host.replaceChildren(
    h(
      "div",
      { class: "match-card" },
      confetti,
      h("span", { class: "match-glyph", "aria-hidden": "true", text: "💘" }),
      h("span", { class: "match-text" }, h("strong", { text: _("It's a match!") }), " ", h("span", { class: "block", text: said })),
      close,
    ),
  );
  const hide = () => {
    clearTimeout(closeTimer);
    if (host.matches(":popover-open")) host.hidePopover();
  };
  close.addEventListener("click", hide);
  if (host.matches(":popover-open")) host.hidePopover();
  host.showPopover();
  clearTimeout(closeTimer);
  closeTimer = setTimeout(hide, CELEBRATE_SECONDS * 1000);
  announce(text, { urgent: true });
  return true;
}
