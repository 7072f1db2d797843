// The room's menu: who is in the room, listing a friend who has not joined yet, and for the
// host its settings, handing the room over, removing a member, closing, reopening and
// deleting it; for everyone else (the host too, once they have handed the room over), leaving.
// What cannot be undone asks first, in the page; closing can be undone from its message.
import { _, format, ngettext } from "./i18n.js";
import { api } from "./api.js";
import { $, avatar, confirmAction, dismissToasts, h, showError, toast } from "./ui.js";

export class RoomDialog {
  constructor({ state, cfg, me, onLeft, onReopened = () => {} }) {
    this.state = state;
    this.cfg = cfg;
    this.me = me;
    this.onLeft = onLeft;
    this.onReopened = onReopened;
    this.dialog = $("#room-dialog");
    this.form = $("#settings-form");
    $("#room-menu-button").addEventListener("click", () => {
      this.filled = false;
      this.fill();
      this.dialog.showModal();
    });
    this.form.addEventListener("submit", (event) => this.save(event));
    $("#leave-button").addEventListener("click", () => this.leave());
    $("#close-button").addEventListener("click", () => this.setStatus("closed"));
    $("#reopen-button").addEventListener("click", () => this.setStatus("open"));
    $("#delete-button").addEventListener("click", () => this.remove());
    this.leaveHint = h("p", { class: "hint leave-hint", id: "leave-hint", hidden: true, text: _("To leave, hand the room over first: “Make host”, beside a member’s name.") });
    $("#leave-button").after(this.leaveHint);
    this.buildListing();
  }

  // Listing a friend who has not joined yet: they claim the place by joining with the code.
  buildListing() {
    const input = h("input", { id: "member-name", name: "name", maxlength: 50, autocomplete: "off", enterkeyhint: "done", "aria-describedby": "member-add-error" });
    this.listingError = h("p", { class: "field-error", id: "member-add-error", role: "alert", hidden: true });
    this.listing = h(
      "form",
      { class: "member-listing", id: "member-add-form", novalidate: true },
      h("label", { for: "member-name", text: _("List a friend who joins later") }),
      h("div", { class: "member-add" }, input, h("button", { class: "button", type: "submit", text: _("List") })),
      this.listingError,
    );
    this.listing.addEventListener("submit", (event) => this.list(event, input));
    $("#member-list").after(this.listing);
  }

  async list(event, input) {
    event.preventDefault();
    const name = input.value.trim();
    const fail = (text) => {
      this.listingError.textContent = text;
      this.listingError.hidden = false;
      input.setAttribute("aria-invalid", "true");
      input.focus();
    };
    if (!name) return fail(_("Type the name your friend goes by."));
    try {
      await api("POST", `/rooms/${this.cfg.room_id}/members`, { name });
      input.value = "";
      input.removeAttribute("aria-invalid");
      this.listingError.hidden = true;
      toast(format(_("%(name)s is listed: they pick their name when they join with the code."), { name }));
    } catch (error) {
      fail(error.code === "name_taken" ? format(_("Someone in this room is already called %(name)s: list your friend by another name."), { name }) : error.detail);
    }
    return undefined;
  }

  // The settings form, filled once each time the menu opens: at once, or when the room's state
  // arrives if the menu was opened before it.
  fill() {
    if (this.filled || !this.state.room) return;
    this.filled = true;
    this.fillSettings();
  }

  render() {
    const { state } = this;
    if (!state.room) return;
    if (this.dialog.open) this.fill();
    const host = state.isHost();
    for (const element of this.dialog.querySelectorAll(".host-only")) element.hidden = !host;
    $("#close-button").hidden = !host || !state.isOpen();
    $("#reopen-button").hidden = !host || state.isOpen();
    $("#leave-button").hidden = host;
    this.leaveHint.hidden = !host;
    this.listing.hidden = !state.isOpen();
    const online = new Set(state.presence.map((user) => user.user_id));
    // Rebuilt only when who is in the room, or here, changes: a vote must not take the focus
    // from a "Remove" button.
    const key = JSON.stringify([host, state.room.members, [...online]]);
    if (key === this.key) return;
    this.key = key;
    const focused = document.activeElement && this.dialog.contains(document.activeElement) ? document.activeElement.getAttribute("aria-label") : null;
    $("#member-list").replaceChildren(
      ...state.room.members.map((member) => {
        const status = [member.is_host ? _("host") : null, online.has(member.user_id) ? _("here now") : null, member.claimed ? null : _("not joined yet")].filter(Boolean).join(", ");
        const actions = [];
        if (host && member.user_id !== this.me) {
          if (member.claimed) {
            actions.push(h("button", { class: "button small", type: "button", text: _("Make host"), "aria-label": format(_("Make %(name)s the host"), { name: member.name }), onclick: () => this.handOver(member) }));
          }
          actions.push(h("button", { class: "button small danger", type: "button", text: _("Remove"), "aria-label": format(_("Remove %(name)s"), { name: member.name }), onclick: () => this.removeMember(member) }));
        }
        return h(
          "li",
          {},
          avatar(member),
          h("span", { class: "grow" }, h("strong", { text: member.user_id === this.me ? format(_("%(name)s (you)"), { name: member.name }) : member.name }), status ? h("span", { class: "muted block", text: status }) : ""),
          actions.length ? h("span", { class: "member-actions" }, actions) : "",
        );
      }),
    );
    // The rebuilt list's button of the same name keeps the focus.
    if (focused) {
      const again = [...$("#member-list").querySelectorAll("button")].find((button) => button.getAttribute("aria-label") === focused);
      if (again) again.focus();
    }
  }

  fillSettings() {
    const { room } = this.state;
    this.form.elements.name.value = room.name;
    this.form.elements.selection_mode.value = room.settings.selection_mode;
    this.form.elements.voting_duration_seconds.value = String(room.settings.voting_duration_seconds);
    if (this.form.elements.voting_duration_seconds.value !== String(room.settings.voting_duration_seconds)) {
      const seconds = room.settings.voting_duration_seconds;
      this.form.elements.voting_duration_seconds.append(h("option", { value: seconds, text: format(ngettext("%(count)s second", "%(count)s seconds", seconds), { count: seconds }) }));
      this.form.elements.voting_duration_seconds.value = String(seconds);
    }
    this.form.elements.allow_revotes.checked = room.settings.allow_revotes;
    $("#settings-error").hidden = true;
  }

  async save(event) {
    event.preventDefault();
    const error = $("#settings-error");
    const elements = this.form.elements;
    const body = {
      name: elements.name.value.trim(),
      settings: {
        selection_mode: elements.selection_mode.value,
        voting_duration_seconds: Number(elements.voting_duration_seconds.value),
        allow_revotes: elements.allow_revotes.checked,
      },
    };
    if (!body.name) {
      error.textContent = _("The room needs a name.");
      error.hidden = false;
      return;
    }
    try {
      await api("PATCH", `/rooms/${this.cfg.room_id}`, body);
      error.hidden = true;
      toast(_("Settings saved."));
    } catch (failure) {
      error.textContent = failure.detail;
      error.hidden = false;
    }
  }

  async handOver(member) {
    const sure = await confirmAction(format(_("%(name)s will run the room: its settings, its members, closing and deleting it. You become a member like the others, and can then leave."), { name: member.name }), {
      title: format(_("Make %(name)s the host?"), { name: member.name }),
      confirm: format(_("Make %(name)s the host"), { name: member.name }),
      danger: false,
    });
    if (!sure) return;
    try {
      await api("POST", `/rooms/${this.cfg.room_id}/host`, { user_id: member.user_id });
      toast(format(_("%(name)s is the host now."), { name: member.name }));
    } catch (error) {
      showError(error);
    }
  }

  async removeMember(member) {
    const sure = await confirmAction(format(_("%(name)s leaves the room and their votes are withdrawn. They can join again with the code, as someone new."), { name: member.name }), {
      title: format(_("Remove %(name)s?"), { name: member.name }),
      confirm: format(_("Remove %(name)s"), { name: member.name }),
    });
    if (!sure) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}/members/${encodeURIComponent(member.user_id)}`);
      toast(format(_("%(name)s was removed."), { name: member.name }));
    } catch (error) {
      showError(error);
    }
  }

  // Closing is undone by reopening, so it happens at once, with an "Undo" for a few seconds.
  async setStatus(status) {
    try {
      await api("PATCH", `/rooms/${this.cfg.room_id}`, { status });
      this.dialog.close();
      dismissToasts("room-status");
      if (status === "open") {
        this.onReopened();
      } else {
        toast(_("The room is closed: nobody can add, vote or pick until you reopen it."), {
          key: "room-status",
          seconds: 8,
          action: { label: _("Undo"), run: () => this.setStatus("open") },
        });
      }
    } catch (error) {
      showError(error, { key: "room-status" });
    }
  }

  async remove() {
    const sure = await confirmAction(_("Its queue, its votes and its history go, for everyone. This cannot be undone."), { title: _("Delete the room?"), confirm: _("Delete the room") });
    if (!sure) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}`);
      this.onLeft();
    } catch (error) {
      showError(error);
    }
  }

  async leave() {
    const sure = await confirmAction(_("Your votes are withdrawn. You can join again with the code, as someone new."), { title: _("Leave the room?"), confirm: _("Leave the room") });
    if (!sure) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}/members/${encodeURIComponent(this.me)}`);
      this.onLeft();
    } catch (error) {
      showError(error);
    }
  }
}
