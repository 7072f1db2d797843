// The "Tonight" panel of a room: who is in, what the pick must respect (a finish-by time, a
// longest runtime, films or shows, genres, only what streams), the member's own streaming
// services, and for the host a new evening. Every change is sent at once; what everyone sees
// comes back as the room's events.
import { _, format } from "./i18n.js";
import { api } from "./api.js";
import { constraintsParts, finishByClock, finishByIso } from "./tonight.js";
import { $, avatar, confirmAction, h, runtime, showError, toast } from "./ui.js";

const TIME_SETTLE_MS = 700;
const QUICK_SERVICES = 8;

export class TonightPanel {
  constructor({ state, cfg, me, onChanged }) {
    this.state = state;
    this.cfg = cfg;
    this.me = me;
    this.onChanged = onChanged;
    this.details = $("#tonight-details");
    this.form = $("#tonight-form");
    this.providers = null; // TMDB's services for the region, once known; [] when unavailable
    this.keys = {};
    // A one-line summary until opened; this browser remembers whether it was left open.
    this.openKey = `wq-tonight-open-${cfg.room_id}`;
    this.details.open = localStorage.getItem(this.openKey) === "1";
    this.details.addEventListener("toggle", () => localStorage.setItem(this.openKey, this.details.open ? "1" : "0"));
    this.wire();
  }

  wire() {
    const { form } = this;
    let timer = null;
    form.elements.finish_by.addEventListener("change", () => {
      clearTimeout(timer);
      timer = setTimeout(() => this.sendFinishBy(), TIME_SETTLE_MS);
    });
    form.elements.finish_by.addEventListener("blur", () => {
      if (timer) {
        clearTimeout(timer);
        timer = null;
        this.sendFinishBy();
      }
    });
    $("#finish-by-clear").addEventListener("click", () => {
      form.elements.finish_by.value = "";
      this.send({ finish_by: null });
    });
    form.elements.max_runtime_minutes.addEventListener("change", (event) => {
      this.send({ max_runtime_minutes: event.target.value ? Number(event.target.value) : null });
    });
    for (const radio of form.querySelectorAll("input[name=media]")) {
      radio.addEventListener("change", () => this.send({ media: radio.value }));
    }
    form.elements.streamable_only.addEventListener("change", (event) => this.send({ streamable_only: event.target.checked }));
    form.addEventListener("submit", (event) => event.preventDefault());
    $("#new-evening").addEventListener("click", () => this.newEvening());
    $("#service-add").addEventListener("submit", (event) => this.addTypedService(event));
    // TMDB's list of services is asked for when someone opens "My services".
    $("#services").addEventListener("toggle", () => {
      if ($("#services").open && this.providers === null) this.loadProviders();
    });
  }

  sendFinishBy() {
    const value = this.form.elements.finish_by.value;
    if (!value) return this.send({ finish_by: null });
    return this.send({ finish_by: finishByIso(value) });
  }

  async send(changes) {
    const error = $("#tonight-error");
    try {
      this.state.tonight = await api("PATCH", `/rooms/${this.cfg.room_id}/tonight`, changes);
      error.hidden = true;
    } catch (failure) {
      error.textContent = failure.detail;
      error.hidden = false;
      this.keys = {}; // put the fields back as they are
    }
    this.onChanged();
  }

  async setIn(userId, attending) {
    try {
      this.state.tonight = await api("PUT", `/rooms/${this.cfg.room_id}/tonight/attendees/${encodeURIComponent(userId)}`, { in: attending });
    } catch (error) {
      showError(error);
    }
    this.onChanged();
  }

  async newEvening() {
    const sure = await confirmAction(_("Vetoes, who is in and matches start afresh; the constraints stay."), { title: _("Start a new evening?"), confirm: _("Start a new evening"), danger: false });
    if (!sure) return;
    try {
      this.state.tonight = await api("POST", `/rooms/${this.cfg.room_id}/tonight/new`);
      toast(_("A new evening has started."));
    } catch (error) {
      showError(error);
    }
    this.onChanged();
  }

  render() {
    const { state } = this;
    const tonight = state.tonight;
    if (!tonight || !state.room) return;
    const parts = constraintsParts(tonight);
    $("#tonight-line").textContent = parts.join(" · ");
    this.renderAttendees();
    this.renderConstraints();
    this.renderGenres();
    this.renderServices();
    const host = state.isHost();
    $("#tonight-host").hidden = !host;
    const open = state.isOpen() && !state.gone;
    for (const control of this.details.querySelectorAll("input, select, button")) control.disabled = !open;
  }

  renderAttendees() {
    const { state } = this;
    const key = JSON.stringify([state.tonight.attendance, state.room.members, state.isHost()]);
    if (key === this.keys.attendees) return;
    this.keys.attendees = key;
    const host = state.isHost();
    const focused = document.activeElement && document.activeElement.dataset.userId;
    const items = state.tonight.attendance.map((entry) => {
      const member = state.member(entry.user_id);
      const you = entry.user_id === this.me;
      const name = you ? format(_("%(name)s (you)"), { name: member.name }) : member.name;
      const where = entry.online ? _("here now") : _("not here");
      const body = [
        h("span", { class: `avatar-wrap${entry.online ? " online" : ""}` }, avatar(member, { small: true })),
        h("span", { class: "attendee-name", text: name }),
        h("span", { class: "attendee-state", text: entry.in ? _("In") : _("Out") }),
      ];
      const label = format(entry.in ? _("%(name)s: in tonight, %(where)s") : _("%(name)s: out tonight, %(where)s"), { name, where });
      const chip = you || host
        ? h("button", {
            class: "attendee attendee-toggle",
            type: "button",
            "aria-pressed": String(entry.in),
            "aria-label": `${label}. ${entry.in ? _("Count out") : _("Count in")}`,
            dataset: { userId: entry.user_id },
            onclick: () => this.setIn(entry.user_id, !entry.in),
          }, body)
        : h("span", { class: "attendee", "aria-label": label, role: "img" }, body);
      chip.classList.toggle("is-in", entry.in);
      return h("li", {}, chip);
    });
    $("#attendees").replaceChildren(...items);
    if (focused) {
      const again = $(`#attendees [data-user-id="${CSS.escape(focused)}"]`);
      if (again) again.focus({ preventScroll: true });
    }
  }

  renderConstraints() {
    const { form } = this;
    const c = this.state.tonight.constraints;
    const key = JSON.stringify(c);
    if (key === this.keys.constraints) return;
    this.keys.constraints = key;
    const fields = form.elements;
    // A field the person is changing is left alone.
    if (document.activeElement !== fields.finish_by) fields.finish_by.value = finishByClock(c.finish_by);
    $("#finish-by-clear").hidden = !c.finish_by;
    const runtimeSelect = fields.max_runtime_minutes;
    const wanted = c.max_runtime_minutes ? String(c.max_runtime_minutes) : "";
    if (wanted && ![...runtimeSelect.options].some((option) => option.value === wanted)) {
      runtimeSelect.append(h("option", { value: wanted, text: runtime(c.max_runtime_minutes) }));
    }
    runtimeSelect.value = wanted;
    form.querySelector(`input[name=media][value="${c.media}"]`).checked = true;
    fields.streamable_only.checked = c.streamable_only;
  }

  renderGenres() {
    const { state } = this;
    const c = state.tonight.constraints;
    const inQueue = state.queued().flatMap((item) => item.genres || []);
    const genres = [...new Set([...inQueue, ...c.genres_include, ...c.genres_exclude])].sort((a, b) => a.localeCompare(b));
    const key = JSON.stringify([genres, c.genres_include, c.genres_exclude, state.isOpen()]);
    if (key === this.keys.genres) return;
    this.keys.genres = key;
    const folded = (list) => new Set(list.map((genre) => genre.toLocaleLowerCase()));
    const chips = (which, chosen, other) =>
      genres.map((genre) => {
        const input = h("input", { type: "checkbox", value: genre, checked: chosen.has(genre.toLocaleLowerCase()) });
        input.addEventListener("change", () => this.toggleGenre(which, genre, input.checked));
        return h("label", { class: `chip ${which}` }, input, h("span", { text: genre }));
      });
    const include = folded(c.genres_include);
    const exclude = folded(c.genres_exclude);
    $("#genres-include").replaceChildren(...chips("include", include, exclude));
    $("#genres-exclude").replaceChildren(...chips("exclude", exclude, include));
    $("#genres-none").hidden = genres.length > 0;
    for (const fieldset of this.form.querySelectorAll(".genre-field")) fieldset.hidden = !genres.length;
  }

  toggleGenre(which, genre, on) {
    const c = this.state.tonight.constraints;
    const same = (a) => a.toLocaleLowerCase() === genre.toLocaleLowerCase();
    const include = c.genres_include.filter((g) => !same(g));
    const exclude = c.genres_exclude.filter((g) => !same(g));
    if (on) (which === "include" ? include : exclude).push(genre);
    this.send({ genres_include: include, genres_exclude: exclude });
  }

  // My services: TMDB's list for the region when the server has it, else typed names.

  async loadProviders() {
    this.providers = [];
    try {
      const answer = await api("GET", "/tmdb/providers");
      this.providers = answer.providers.map((provider) => provider.name);
    } catch {
      this.providers = [];
    }
    this.keys.services = null;
    if (this.state.tonight) this.renderServices();
  }

  mine() {
    return (this.state.you && this.state.you.services) || [];
  }

  async setServices(services) {
    try {
      const member = await api("PUT", `/rooms/${this.cfg.room_id}/members/${encodeURIComponent(this.me)}/services`, { services });
      this.state.you = { ...this.state.you, services: member.services };
    } catch (error) {
      showError(error);
    }
    this.keys.services = null;
    this.onChanged();
  }

  renderServices() {
    const mine = this.mine();
    const providers = this.providers || [];
    const tonight = this.state.tonight.services;
    const key = JSON.stringify([mine, providers, tonight, this.state.isOpen()]);
    if (key === this.keys.services) return;
    this.keys.services = key;
    $("#services-line").textContent = tonight.length ? format(_("Tonight's services: %(services)s."), { services: tonight.join(", ") }) : _("Nobody in tonight has named a service yet.");
    $("#services-mine").textContent = mine.length ? mine.join(", ") : _("none yet");
    const has = new Set(mine.map((name) => name.toLocaleLowerCase()));
    const quick = [...new Set([...providers.slice(0, QUICK_SERVICES), ...mine])];
    $("#service-chips").replaceChildren(
      ...quick.map((name) => {
        const input = h("input", { type: "checkbox", value: name, checked: has.has(name.toLocaleLowerCase()) });
        input.addEventListener("change", () => this.toggleService(name, input.checked));
        return h("label", { class: "chip" }, input, h("span", { text: name }));
      }),
    );
    $("#service-chips").hidden = !quick.length;
    $("#service-options").replaceChildren(...providers.map((name) => h("option", { value: name })));
    $("#service-name").placeholder = providers.length ? _("Another service…") : _("e.g. Netflix");
    $("#services-note").hidden = this.providers === null || providers.length > 0;
  }

  toggleService(name, on) {
    const mine = this.mine();
    const same = (other) => other.toLocaleLowerCase() === name.toLocaleLowerCase();
    if (on && mine.some(same)) return;
    this.setServices(on ? [...mine, name] : mine.filter((other) => !same(other)));
  }

  addTypedService(event) {
    event.preventDefault();
    const field = $("#service-name");
    const name = field.value.trim();
    if (!name) return;
    const known = (this.providers || []).find((provider) => provider.toLocaleLowerCase() === name.toLocaleLowerCase());
    this.toggleService(known || name, true);
    field.value = "";
  }
}
