// Small DOM helpers shared by every page. Everything a person typed reaches the page through
// text nodes and attributes, never as HTML.
import { _, format, language, ngettext } from "./i18n.js";

export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") element.className = value;
    else if (key === "text") element.textContent = value;
    else if (key === "dataset") Object.assign(element.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, "");
    else element.setAttribute(key, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function config() {
  const element = document.getElementById("wq-config");
  return element ? JSON.parse(element.textContent) : {};
}

// Announcements for screen readers: polite for votes and arrivals, assertive for picks.
export function announce(text, { urgent = false } = {}) {
  // While a modal dialog is open the rest of the page is inert, its live regions included:
  // speak from inside the dialog then.
  const modal = document.querySelector("dialog[open]");
  let region = document.getElementById(urgent ? "announce-assertive" : "announce-polite");
  if (modal) {
    region = modal.querySelector(".dialog-announcer");
    if (!region) {
      region = h("p", { class: "visually-hidden dialog-announcer", "aria-live": "assertive", "aria-atomic": "true" });
      modal.append(region);
    }
  }
  if (!region) return;
  region.textContent = "";
  // A fresh text node in a later task is what makes every screen reader speak it again.
  setTimeout(() => { region.textContent = text; }, 30);
}

// A message for the person, in words. Errors stay until dismissed or replaced; notes fade.
// The messages live in a popover, in the top layer, so that they show above (and stay usable
// with) an open modal dialog.
// A `key` names what a message is about: a newer one with the same key replaces it, and
// dismissToasts(key) takes it away once it no longer holds (the connection is back, the action
// that failed has since worked). An `action` ({label, run}) is a button in the message, such as
// "Undo"; pressing it runs it and takes the message away.
export function toast(text, { kind = "info", seconds = kind === "error" ? 0 : 4, key = null, action = null, link = null } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return;
  if (key) dismissToasts(key);
  const close = h("button", { class: "icon-button", type: "button", "aria-label": _("Dismiss"), text: "✕" });
  const body = h("span", { class: "toast-text", text });
  if (link) body.append(" ", h("a", { href: link.href, text: link.label }));
  const note = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", dataset: key ? { key } : undefined }, body);
  const remove = () => {
    note.remove();
    if (!host.children.length && host.hidePopover && host.matches(":popover-open")) host.hidePopover();
  };
  if (action) {
    note.append(
      h("button", {
        class: "button small toast-action",
        type: "button",
        text: action.label,
        onclick: () => {
          remove();
          action.run();
        },
      }),
    );
  }
  note.append(close);
  close.addEventListener("click", remove);
  host.append(note);
  while (host.children.length > 3) host.firstElementChild.remove();
  if (host.showPopover) {
    // Shown again, it moves above whatever entered the top layer since (a dialog).
    if (host.matches(":popover-open")) host.hidePopover();
    host.showPopover();
  }
  if (seconds) setTimeout(remove, seconds * 1000);
}

export function dismissToasts(key) {
  const host = document.getElementById("toasts");
  if (!host) return;
  for (const note of host.querySelectorAll(`[data-key="${CSS.escape(key)}"]`)) note.remove();
  if (!host.children.length && host.hidePopover && host.matches(":popover-open")) host.hidePopover();
}

// What a lost connection's messages are keyed by: the page takes them away when it is live
// again (live.js), whichever action or fetch met the drop.
export const CONNECTION = "connection";

// A failure, in the server's words. A failure to reach the server at all is about the
// connection, not the action: it goes once the page is live again.
export function showError(error, { key = null } = {}) {
  const offline = Boolean(error && error.status === 0);
  toast(error && error.detail ? error.detail : String(error), { kind: "error", key: offline ? CONNECTION : key });
}

// Avatars, drawn by the app and not by the device's emoji font (which a TV may not have): the
// app's own image of an avatar it offers (their URLs come in the page's config), or else the
// member's initials on a colour of their name's own. The same as the server's `{% avatar %}`.
const HUES = 12;
let avatarImages = null;

export function avatar(member, { small = false } = {}) {
  if (!avatarImages) avatarImages = config().avatars || {};
  const classes = ["avatar"];
  if (small) classes.push("small");
  const url = member && member.avatar ? avatarImages[member.avatar] : null;
  if (url) return h("span", { class: classes.join(" "), "aria-hidden": "true" }, h("img", { class: "avatar-img", src: url, alt: "" }));
  const name = member ? member.name || member.user_id || "" : "";
  classes.push("initials", `hue-${hue(name) % HUES}`);
  return h("span", { class: classes.join(" "), "aria-hidden": "true", text: initials(name) });
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((word) => [...word][0].toUpperCase()).join("") || "?";
}

// Stars for a rating or an average, to the nearest half: 4.5 is four and a half stars. Drawn
// as shapes, so they look the same everywhere; what a screen reader reads is `label`.
const STAR_PATH = "M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z";

export function stars(value, label) {
  const halves = Math.round(Math.max(0, Math.min(5, value)) * 2);
  const element = h("span", { class: "stars star-row", role: "img", "aria-label": label });
  for (let star = 0; star < 5; star += 1) {
    const filled = Math.max(0, Math.min(2, halves - star * 2));
    const kind = ["is-none", "is-half", "is-full"][filled];
    element.append(h("span", { class: `star ${kind}`, "aria-hidden": "true" }, starShape("star-off"), h("span", { class: "star-fill" }, starShape("star-on"))));
  }
  return element;
}

function starShape(className) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", className);
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", STAR_PATH);
  svg.append(path);
  return svg;
}

function hue(text) {
  let hash = 0;
  for (const char of text) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % 360;
}

// A poster, or a placeholder of the same shape coloured from the title, when there is none or
// it cannot be loaded (no internet on the LAN, say).
export function poster(item) {
  const placeholder = () => {
    const base = hue(item.title || "");
    const element = h(
      "span",
      { class: "poster poster-placeholder", role: "img", "aria-label": format(_("No poster for %(title)s"), { title: item.title }) },
      h("span", { class: "glyph", "aria-hidden": "true", text: item.media_type === "tv" ? "📺" : "🎬" }),
      h("span", { text: shorten(item.title || "", 40) }),
    );
    element.style.background = `linear-gradient(160deg, hsl(${base} 45% 32%), hsl(${(base + 40) % 360} 50% 18%))`;
    return element;
  };
  if (!item.poster_url) return placeholder();
  const image = h("img", { class: "poster", src: item.poster_url, alt: format(_("Poster of %(title)s"), { title: item.title }), loading: "lazy", decoding: "async" });
  image.addEventListener("error", () => image.replaceWith(placeholder()), { once: true });
  return image;
}

export function shorten(text, length) {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export function runtime(minutes) {
  if (!minutes) return null;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return hours ? `${hours} h${rest ? ` ${rest} min` : ""}` : `${rest} min`;
}

export function itemFacts(item) {
  return [item.year, runtime(item.runtime_minutes), item.media_type === "tv" ? _("Show") : _("Film")].filter(Boolean).join(" · ");
}

export function providersLine(item) {
  const providers = item.providers || {};
  const parts = [];
  if (providers.stream && providers.stream.length) parts.push([_("Stream"), providers.stream]);
  if (providers.rent && providers.rent.length) parts.push([_("Rent"), providers.rent]);
  else if (providers.buy && providers.buy.length) parts.push([_("Buy"), providers.buy]);
  if (!parts.length) return null;
  return h(
    "p",
    { class: "item-providers" },
    parts.flatMap(([label, names], index) => [index ? " · " : "", `${label}: `, h("strong", { text: names.slice(0, 3).join(", ") })]),
  );
}

export function clock(seconds) {
  const whole = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

export function relativeDay(iso) {
  const date = new Date(iso);
  const today = new Date();
  const days = Math.round((startOfDay(today) - startOfDay(date)) / 86400000);
  const time = date.toLocaleTimeString(language, { hour: "numeric", minute: "2-digit" });
  if (days === 0) return format(_("today at %(time)s"), { time });
  if (days === 1) return format(_("yesterday at %(time)s"), { time });
  return date.toLocaleDateString(language, { weekday: days < 7 ? "long" : undefined, day: "numeric", month: "short", year: days > 300 ? "numeric" : undefined });
}

function startOfDay(date) {
  return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
}

export function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
  const field = h("textarea", { class: "visually-hidden", readonly: true });
  field.value = text;
  document.body.append(field);
  field.select();
  const copied = document.execCommand("copy");
  field.remove();
  return copied ? Promise.resolve() : Promise.reject(new Error(_("Copy is not available here.")));
}

// Copy buttons (`data-copy`) and the share button of an invite dialog.
export function wireInvite(dialog) {
  for (const button of dialog.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => {
      copyText(button.dataset.copy).then(
        () => toast(_("Link copied.")),
        () => toast(_("Copy the link by hand: this browser does not allow it."), { kind: "error" }),
      );
    });
  }
  const share = dialog.querySelector("#share-button");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", () => {
      navigator.share({ title: share.dataset.title, text: format(_("Join %(name)s on WatchQueue"), { name: share.dataset.title }), url: share.dataset.url }).catch(() => {});
    });
  }
}

// A confirmation in words, in the page (not the browser's pop-up), before anything that cannot
// be undone. Resolves to true when the person confirms; Escape or "Cancel" resolve to false.
export function confirmAction(text, { confirm = _("Yes"), cancel = _("Cancel"), danger = true, title = null } = {}) {
  const dialog = h("dialog", { class: "dialog confirm-dialog", role: "alertdialog", "aria-modal": "true" });
  const heading = h("h2", { id: "confirm-title", text: title || confirm });
  const message = h("p", { id: "confirm-text", text });
  const yes = h("button", { class: `button ${danger ? "danger" : "primary"}`, type: "button", text: confirm });
  const no = h("button", { class: "button", type: "button", text: cancel });
  dialog.setAttribute("aria-labelledby", heading.id);
  dialog.setAttribute("aria-describedby", message.id);
  dialog.append(heading, message, h("div", { class: "confirm-actions" }, no, yes));
  document.body.append(dialog);
  return new Promise((resolve) => {
    let answer = false;
    yes.addEventListener("click", () => {
      answer = true;
      dialog.close();
    });
    no.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      resolve(answer);
      // After the focus went back (below, on the same event), so it is not lost with the dialog.
      setTimeout(() => dialog.remove(), 0);
    });
    dialog.showModal();
    // The safe answer has the focus, so a stray Enter cancels.
    no.focus();
  });
}

// Focus goes back to the control that opened a dialog when it closes, on every page and for
// every dialog, whatever opened it. The opener is the element focus came from as it entered
// the dialog (or, where a tap does not focus a button, the control last pressed). If that
// control was redrawn meanwhile (a card's menu rebuilt after an edit), its successor is found
// by its id, or by its place in the same card.
const openers = new WeakMap();
let pressed = null;

function controlOf(target) {
  // A container focusable only by script (the page's <main>, tabindex -1) is no control.
  return target instanceof Element ? target.closest('button, a[href], summary, input, select, textarea, [tabindex]:not([tabindex="-1"])') : null;
}

function locator(element) {
  const card = element.closest("[data-id]");
  const classes = [...element.classList].map((name) => `.${CSS.escape(name)}`).join("");
  return {
    element,
    id: element.id || null,
    scope: card && card !== element ? card.dataset.id : null,
    selector: `${element.localName}${classes}`,
    label: element.getAttribute("aria-label"),
  };
}

function relocate(opener) {
  const usable = (element) => element && element.isConnected && !element.disabled && element.getClientRects().length > 0;
  if (usable(opener.element)) return opener.element;
  if (opener.id && usable(document.getElementById(opener.id))) return document.getElementById(opener.id);
  if (opener.scope) {
    const card = document.querySelector(`[data-id="${CSS.escape(opener.scope)}"]`);
    const candidates = card ? [...card.querySelectorAll(opener.selector)] : [];
    return candidates.find((element) => usable(element) && element.getAttribute("aria-label") === opener.label) || candidates.find(usable) || null;
  }
  return null;
}

for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, (event) => { pressed = controlOf(event.target); }, true);
}

document.addEventListener(
  "focusin",
  (event) => {
    const dialog = event.target instanceof Element ? event.target.closest("dialog") : null;
    if (!dialog || openers.has(dialog)) return;
    const from = controlOf(event.relatedTarget) || pressed;
    if (from && !dialog.contains(from)) openers.set(dialog, locator(from));
  },
  true,
);

document.addEventListener(
  "close",
  (event) => {
    const dialog = event.target;
    if (!(dialog instanceof HTMLDialogElement)) return;
    const opener = openers.get(dialog);
    openers.delete(dialog);
    if (!opener) return;
    // Unless the person (or the page) has put the focus somewhere on purpose since.
    const active = document.activeElement;
    if (active && active !== document.body && active !== opener.element && !dialog.contains(active)) return;
    const target = relocate(opener);
    if (target) target.focus();
    keepFocus(opener);
  },
  true,
);

// What closed the dialog may redraw the opener just after (an edit's own event rebuilds the
// card's menu): for a moment, focus that falls to the page follows the opener's successor.
function keepFocus(opener) {
  const watcher = new MutationObserver(() => {
    if (document.activeElement && document.activeElement !== document.body) return;
    const target = relocate(opener);
    if (target) target.focus();
  });
  watcher.observe(document.body, { childList: true, subtree: true });
  const stop = () => watcher.disconnect();
  setTimeout(stop, 2000);
  document.addEventListener("pointerdown", stop, { once: true, capture: true });
}
