// Adding a film or show: a title typed in, or one of TMDB's suggestions (an ARIA combobox that
// works with a thumb, a mouse or the arrow keys). TMDB's key stays on the server; without one,
// the form still adds by title, and says once how to turn suggestions on. The suggestions never
// cover the controls they go with: on a phone they come below the Add button and the Film/Show
// switch (which shows once the field is in use), pushing the queue down.
import { _ } from "./i18n.js";
import { api } from "./api.js";
import { h, poster } from "./ui.js";

const HINT_SEEN = "wq-tmdb-hint-seen";
const DEBOUNCE_MS = 250;

export class AddForm {
  // add(fields) -> Promise: adds the item; resolves when done, rejects with the error shown.
  constructor(form, { tmdb, add }) {
    this.form = form;
    this.input = form.querySelector("#add-title");
    this.list = form.querySelector("#suggestions");
    this.add = add;
    this.suggest = tmdb;
    this.results = [];
    this.active = -1;
    this.timer = null;
    this.pending = null;
    this.wire();
    if (!tmdb) this.hintOnce();
  }

  wire() {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      if (this.active >= 0 && this.results[this.active]) this.choose(this.results[this.active]);
      else this.submitTyped();
    });
    this.input.addEventListener("input", () => this.typed());
    this.input.addEventListener("focus", () => this.form.classList.add("in-use"));
    this.input.addEventListener("keydown", (event) => this.key(event));
    this.input.addEventListener("blur", () => setTimeout(() => this.close(), 150));
    // Once the form is left empty, the phone's Film/Show switch folds away again.
    this.form.addEventListener("focusout", () =>
      setTimeout(() => {
        if (!this.form.contains(document.activeElement) && !this.input.value.trim()) this.form.classList.remove("in-use");
      }, 200),
    );
  }

  hintOnce() {
    const hint = document.getElementById("tmdb-hint");
    if (!hint || localStorage.getItem(HINT_SEEN)) return;
    hint.hidden = false;
    localStorage.setItem(HINT_SEEN, "1");
    document.getElementById("tmdb-hint-dismiss").addEventListener("click", () => { hint.hidden = true; });
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    for (const control of this.form.elements) control.disabled = !enabled || (this.sending && control.type === "submit");
  }

  async submitTyped() {
    const title = this.input.value.trim();
    if (!title) {
      this.input.setAttribute("aria-invalid", "true");
      this.input.focus();
      return;
    }
    const mediaType = this.form.querySelector("input[name=media_type]:checked").value;
    await this.send({ title, media_type: mediaType });
  }

  async choose(result) {
    this.close();
    await this.send({ title: result.title, media_type: result.media_type, tmdb_id: result.tmdb_id, year: result.year });
  }

  async send(fields) {
    if (this.sending) return;
    clearTimeout(this.timer);
    if (this.pending) this.pending.abort();
    this.close();
    this.input.removeAttribute("aria-invalid");
    this.sending = true;
    this.setEnabled(this.enabled !== false);
    try {
      await this.add(fields);
      this.input.value = "";
      this.results = [];
      this.form.classList.toggle("in-use", this.form.contains(document.activeElement));
    } catch {
      this.input.focus();
    } finally {
      this.sending = false;
      this.setEnabled(this.enabled !== false);
    }
  }

  typed() {
    this.form.classList.add("in-use");
    this.input.removeAttribute("aria-invalid");
    clearTimeout(this.timer);
    if (!this.suggest) return;
    const query = this.input.value.trim();
    if (query.length < 2) {
      this.close();
      return;
    }
    this.timer = setTimeout(() => this.search(query), DEBOUNCE_MS);
  }

  async search(query) {
    if (this.pending) this.pending.abort();
    const pending = new AbortController();
    this.pending = pending;
    try {
      const found = await api("GET", `/search?q=${encodeURIComponent(query)}`, undefined, { signal: pending.signal });
      if (this.input.value.trim() !== query) return;
      this.show(found.results.slice(0, 8));
    } catch (error) {
      if (error.name === "AbortError") return;
      if (error.code === "tmdb_not_configured") this.suggest = false;
      this.status(error.detail);
    }
  }

  show(results) {
    this.results = results;
    this.active = -1;
    if (!results.length) {
      this.status(_("No suggestions: press Add to add it as typed."));
      return;
    }
    this.list.replaceChildren(
      ...results.map((result, index) =>
        h(
          "li",
          {
            id: `suggestion-${index}`,
            role: "option",
            "aria-selected": "false",
            onmousedown: (event) => event.preventDefault(),
            onclick: () => this.choose(result),
          },
          poster({ ...result, poster_url: result.poster_url && result.poster_url.replace("/w500/", "/w92/") }),
          h("span", {}, h("strong", { text: result.title }), h("span", { class: "muted block", text: [result.year, result.media_type === "tv" ? _("Show") : _("Film")].filter(Boolean).join(" · ") })),
        ),
      ),
    );
    this.open();
  }

  status(text) {
    this.results = [];
    this.active = -1;
    this.list.replaceChildren(h("li", { class: "status", role: "option", "aria-disabled": "true", "aria-selected": "false", text }));
    this.open();
  }

  open() {
    this.list.hidden = false;
    this.input.setAttribute("aria-expanded", "true");
  }

  close() {
    this.list.hidden = true;
    this.input.setAttribute("aria-expanded", "false");
    this.input.removeAttribute("aria-activedescendant");
    this.active = -1;
  }

  key(event) {
    if (this.list.hidden || !this.results.length) {
      if (event.key === "Escape") this.close();
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const step = event.key === "ArrowDown" ? 1 : -1;
      this.highlight((this.active + step + this.results.length) % this.results.length);
    } else if (event.key === "Escape") {
      event.preventDefault();
      this.close();
    }
  }

  highlight(index) {
    this.active = index;
    [...this.list.children].forEach((option, position) => option.setAttribute("aria-selected", String(position === index)));
    const option = this.list.children[index];
    this.input.setAttribute("aria-activedescendant", option.id);
    option.scrollIntoView({ block: "nearest" });
  }
}
