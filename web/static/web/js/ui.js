// Small DOM helpers shared by every page. Everything a person typed reaches the page through
// text nodes and attributes, never as HTML.

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
// dismissToasts(key) takes it away once it no longer holds.
export function toast(text, { kind = "info", seconds = kind === "error" ? 0 : 4, key = null } = {}) {
  const host = document.getElementById("toasts");
  if (!host) return;
  if (key) dismissToasts(key);
  const close = h("button", { class: "icon-button", type: "button", "aria-label": "Dismiss", text: "✕" });
  const note = h("div", { class: `toast ${kind}`, role: kind === "error" ? "alert" : "status", dataset: key ? { key } : undefined }, h("span", { text }), close);
  const remove = () => {
    note.remove();
    if (!host.children.length && host.hidePopover && host.matches(":popover-open")) host.hidePopover();
  };
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

export function showError(error) {
  toast(error && error.detail ? error.detail : String(error), { kind: "error" });
}

// Avatars: the member's emoji, or their initials.
export function avatar(member, { small = false } = {}) {
  const classes = ["avatar"];
  if (small) classes.push("small");
  const emoji = member && member.avatar;
  if (!emoji) classes.push("initials");
  const text = emoji || initials(member ? member.name || member.user_id : "?");
  return h("span", { class: classes.join(" "), "aria-hidden": "true", text });
}

function initials(name) {
  return name.split(/\s+/).filter(Boolean).slice(0, 2).map((word) => [...word][0].toUpperCase()).join("") || "?";
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
      { class: "poster poster-placeholder", role: "img", "aria-label": `No poster for ${item.title}` },
      h("span", { class: "glyph", "aria-hidden": "true", text: item.media_type === "tv" ? "📺" : "🎬" }),
      h("span", { text: shorten(item.title || "", 40) }),
    );
    element.style.background = `linear-gradient(160deg, hsl(${base} 45% 32%), hsl(${(base + 40) % 360} 50% 18%))`;
    return element;
  };
  if (!item.poster_url) return placeholder();
  const image = h("img", { class: "poster", src: item.poster_url, alt: `Poster of ${item.title}`, loading: "lazy", decoding: "async" });
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
  return [item.year, runtime(item.runtime_minutes), item.media_type === "tv" ? "Show" : "Film"].filter(Boolean).join(" · ");
}

export function providersLine(item) {
  const providers = item.providers || {};
  const parts = [];
  if (providers.stream && providers.stream.length) parts.push(["Stream", providers.stream]);
  if (providers.rent && providers.rent.length) parts.push(["Rent", providers.rent]);
  else if (providers.buy && providers.buy.length) parts.push(["Buy", providers.buy]);
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
  const time = date.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  if (days === 0) return `today at ${time}`;
  if (days === 1) return `yesterday at ${time}`;
  return date.toLocaleDateString([], { weekday: days < 7 ? "long" : undefined, day: "numeric", month: "short", year: days > 300 ? "numeric" : undefined });
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
  return copied ? Promise.resolve() : Promise.reject(new Error("Copy is not available here."));
}

// Copy buttons (`data-copy`) and the share button of an invite dialog.
export function wireInvite(dialog) {
  for (const button of dialog.querySelectorAll("[data-copy]")) {
    button.addEventListener("click", () => {
      copyText(button.dataset.copy).then(
        () => toast("Link copied."),
        () => toast("Copy the link by hand: this browser does not allow it.", { kind: "error" }),
      );
    });
  }
  const share = dialog.querySelector("#share-button");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", () => {
      navigator.share({ title: share.dataset.title, text: `Join ${share.dataset.title} on WatchQueue`, url: share.dataset.url }).catch(() => {});
    });
  }
}

// A confirmation in words, before anything that cannot be undone.
export function confirmAction(text) {
  return window.confirm(text);
}
