// The room's menu: who is in the room, and for the host its settings, removing a member,
// closing, reopening and deleting it; for everyone else, leaving it.
import { api } from "./api.js";
import { $, avatar, confirmAction, h, showError, toast } from "./ui.js";

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
      this.fillSettings();
      this.dialog.showModal();
    });
    this.form.addEventListener("submit", (event) => this.save(event));
    $("#leave-button").addEventListener("click", () => this.leave());
    $("#close-button").addEventListener("click", () => this.setStatus("closed"));
    $("#reopen-button").addEventListener("click", () => this.setStatus("open"));
    $("#delete-button").addEventListener("click", () => this.remove());
  }

  render() {
    const { state } = this;
    if (!state.room) return;
    const host = state.isHost();
    for (const element of this.dialog.querySelectorAll(".host-only")) element.hidden = !host;
    $("#close-button").hidden = !host || !state.isOpen();
    $("#reopen-button").hidden = !host || state.isOpen();
    $("#leave-button").hidden = host;
    const online = new Set(state.presence.map((user) => user.user_id));
    // Rebuilt only when who is in the room, or here, changes: a vote must not take the focus
    // from a "Remove" button.
    const key = JSON.stringify([host, state.room.members, [...online]]);
    if (key === this.key) return;
    this.key = key;
    $("#member-list").replaceChildren(
      ...state.room.members.map((member) => {
        const status = [member.is_host ? "host" : null, online.has(member.user_id) ? "here now" : null, member.claimed ? null : "not joined yet"].filter(Boolean).join(", ");
        const remove =
          host && member.user_id !== this.me
            ? h("button", { class: "button small danger", type: "button", text: "Remove", "aria-label": `Remove ${member.name}`, onclick: () => this.removeMember(member) })
            : "";
        return h("li", {}, avatar(member), h("span", { class: "grow" }, h("strong", { text: member.user_id === this.me ? `${member.name} (you)` : member.name }), status ? h("span", { class: "muted block", text: status }) : ""), remove);
      }),
    );
  }

  fillSettings() {
    const { room } = this.state;
    this.form.elements.name.value = room.name;
    this.form.elements.selection_mode.value = room.settings.selection_mode;
    this.form.elements.voting_duration_seconds.value = String(room.settings.voting_duration_seconds);
    if (this.form.elements.voting_duration_seconds.value !== String(room.settings.voting_duration_seconds)) {
      const seconds = room.settings.voting_duration_seconds;
      this.form.elements.voting_duration_seconds.append(h("option", { value: seconds, text: `${seconds} seconds` }));
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
      error.textContent = "The room needs a name.";
      error.hidden = false;
      return;
    }
    try {
      await api("PATCH", `/rooms/${this.cfg.room_id}`, body);
      error.hidden = true;
      toast("Settings saved.");
    } catch (failure) {
      error.textContent = failure.detail;
      error.hidden = false;
    }
  }

  async removeMember(member) {
    if (!confirmAction(`Remove ${member.name} from the room? Their votes are withdrawn.`)) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}/members/${encodeURIComponent(member.user_id)}`);
      toast(`${member.name} was removed.`);
    } catch (error) {
      showError(error);
    }
  }

  async setStatus(status) {
    if (status === "closed" && !confirmAction("Close the room? Nobody can add, vote or pick until you reopen it.")) return;
    try {
      await api("PATCH", `/rooms/${this.cfg.room_id}`, { status });
      this.dialog.close();
      if (status === "open") this.onReopened();
    } catch (error) {
      showError(error);
    }
  }

  async remove() {
    if (!confirmAction("Delete the room, its queue and its history for everyone? This cannot be undone.")) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}`);
      this.onLeft();
    } catch (error) {
      showError(error);
    }
  }

  async leave() {
    if (!confirmAction("Leave the room? Your votes are withdrawn.")) return;
    try {
      await api("DELETE", `/rooms/${this.cfg.room_id}/members/${encodeURIComponent(this.me)}`);
      this.onLeft();
    } catch (error) {
      showError(error);
    }
  }
}
