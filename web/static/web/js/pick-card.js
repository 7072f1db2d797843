// The pick, for a member: how to pick and what a pick now would choose among, the pick that
// stands tonight with its reason, who else was in the running and why the rest were not, and
// turning it down (free for the host, a veto for anyone else). A refusal is said in words: the
// pick already standing, a round running, nothing left to pick, no veto left.
import { _, format, ngettext } from "./i18n.js";
import { api } from "./api.js";
import { candidatesList, lastPickLine, reasonText, reveal } from "./reveal.js";
import { excludedList } from "./tonight.js";
import { $, dismissToasts, h, showError, toast } from "./ui.js";

const RECENT_PICK_MS = 30000;

const TURN_DOWN_WORDS = {
  no_vetoes_left: () => _("You have no veto left tonight to turn it down with: withdraw one of your vetoes first."),
  vetoes_off: () => _("This room has no vetoes, so only the host can turn a pick down."),
  not_standing: () => _("This pick no longer stands: it was already turned down, or picked again."),
  pick_watched: () => _("This pick has been watched already."),
  nothing_eligible: (error, selection) => format(_("Nothing else can be picked tonight, so %(title)s stands."), { title: selection.item_title }),
};

export class PickCard {
  // act(run) runs an action and says what went wrong; refreshTonight() fetches tonight again;
  // refreshPreview() asks for the preview again soon.
  constructor({ state, cfg, me, nameOf, act, refreshTonight, refreshPreview, render }) {
    Object.assign(this, { state, cfg, me, nameOf, act, refreshTonight, refreshPreview, rerender: render });
    this.modeTouched = false;
    this.picking = false;
    this.standingKey = null;
    this.standingId = null;
    $("#pick-mode").addEventListener("change", () => {
      this.modeTouched = true;
      this.render();
      this.refreshPreview(0);
    });
    $("#pick-button").addEventListener("click", () => this.pick());
    // On a phone the bar at the bottom picks, or shows tonight's pick again once one stands.
    $("#bar-pick").addEventListener("click", () => {
      const standing = this.state.standing();
      if (standing) this.show(standing, { again: true });
      else this.pick();
    });
  }

  mode() {
    return $("#pick-mode").value || this.state.room.settings.selection_mode;
  }

  render() {
    const { state } = this;
    const select = $("#pick-mode");
    if (!this.modeTouched) select.value = state.room.settings.selection_mode;
    const mode = this.cfg.modes.find((entry) => entry.value === select.value);
    $("#pick-mode-help").textContent = mode ? mode.description : "";
    const standing = state.standing();
    $("#pick-button").disabled = this.picking || !state.isOpen();
    $("#bar-pick").disabled = this.picking || !state.isOpen();
    $("#bar-pick").textContent = standing ? format(_("Tonight: %(title)s"), { title: standing.item_title }) : _("Pick for us");
    $("#pick-field").textContent = this.fieldText();
    this.renderStanding(standing);
    const last = $("#last-pick");
    last.hidden = !state.selection || Boolean(standing);
    if (state.selection && !standing) last.replaceChildren(lastPickLine(state.selection, this.nameOf));
  }

  // What a pick now would choose among, in a line: "3 can be picked, 4 left out. It's Bob's turn."
  fieldText() {
    const { preview } = this.state;
    if (!preview || !this.state.queued().length) return "";
    if (preview.standing) return format(_("%(title)s is tonight's pick: watch it, or turn it down to pick again."), { title: preview.standing.item_title });
    // A removal still held for its undo has left this page, so it is not counted either.
    const shown = (rows) => rows.filter((row) => !this.state.hiding.has(row.item_id));
    const can = shown(preview.candidates).length;
    const out = shown(preview.excluded).length;
    if (!can) return preview.summary || "";
    let text = out
      ? format(ngettext("%(can)s can be picked, %(count)s left out tonight.", "%(can)s can be picked, %(count)s left out tonight.", out), { can, count: out })
      : format(ngettext("%(count)s can be picked.", "%(count)s can be picked.", can), { count: can });
    if (preview.mode === "round_robin" && preview.turn) {
      text += " " + (preview.turn === this.me ? _("It's your turn.") : format(_("It's %(name)s's turn."), { name: this.state.member(preview.turn).name }));
    }
    return text;
  }

  renderStanding(standing) {
    const { state } = this;
    // What was said about picking no longer holds once tonight's pick changes.
    const id = standing ? standing.id : null;
    if (id !== this.standingId) {
      this.standingId = id;
      dismissToasts("pick");
      if (id) this.problem("");
    }
    const box = $("#standing");
    box.hidden = !standing;
    const on = Boolean(standing && state.watching() && state.watching().id === standing.item_id);
    const key = standing ? JSON.stringify([standing.id, state.isHost(), state.vetoesLeft(), state.isOpen(), on]) : null;
    if (!standing || key === this.standingKey) return;
    this.standingKey = key;
    const excluded = (standing.reason || {}).excluded || [];
    const candidates = candidatesList(standing);
    const refuse = this.offer();
    box.replaceChildren(
      h("p", { class: "eyebrow", text: _("Tonight's pick") }),
      h("h3", { class: "standing-title", text: standing.item_title }),
      h("p", { class: "standing-reason", text: reasonText(standing) }),
      candidates.length > 1 ? h("ul", { class: "reveal-candidates", "aria-label": _("In the running") }, candidates) : "",
      excluded.length ? h("details", { class: "more why-not" }, h("summary", { text: format(_("Why not the others? (%(count)s)"), { count: excluded.length }) }), excludedList(excluded)) : "",
      state.isOpen()
        ? h(
            "div",
            { class: "standing-actions" },
            on ? "" : h("button", { class: "button primary", type: "button", text: _("Watch it now"), onclick: () => this.watch(standing) }),
            refuse ? h("button", { class: "button", type: "button", text: refuse.label, onclick: (event) => this.turnDownFrom(event.currentTarget, standing) }) : "",
          )
        : "",
    );
  }

  watch(selection) {
    return this.act(() => api("POST", `/queue/${selection.item_id}/watch`));
  }

  // Reveal a pick: once when it is made (not when met again long after, on reconnecting), or
  // `again` when asked to.
  show(selection, { again = false } = {}) {
    const { state } = this;
    if (!again && Date.now() + state.clockOffsetMs - new Date(selection.created_at).getTime() > RECENT_PICK_MS) return;
    reveal(selection, {
      titles: state.queued().map((item) => item.title),
      onWatch: state.isOpen() ? (picked) => this.watch(picked) : null,
      turnDown: state.isOpen() ? () => this.offer() : null,
      again,
    });
  }

  // Turning tonight's pick down: free for the host, a veto for anyone else; none without vetoes.
  offer() {
    const { state } = this;
    const run = (selection) => this.turnDown(selection);
    if (state.isHost()) return { label: _("Turn it down"), run };
    if (!state.tonight || state.tonight.vetoes_per_evening === 0) return null;
    return { label: state.vetoesLeft() ? _("Turn it down: spend your veto") : _("Turn it down (no veto left)"), run };
  }

  async turnDown(selection) {
    const { state } = this;
    try {
      const picked = await api("POST", `/selections/${selection.id}/turn-down`);
      state.selection = picked;
      if (state.preview) state.preview = { ...state.preview, standing: picked };
      // A member spent a veto on it: the next offer counts what is left.
      if (!state.isHost()) await this.refreshTonight();
      this.rerender();
      this.show(picked);
      return picked;
    } catch (error) {
      const words = TURN_DOWN_WORDS[error.code];
      if (words) error.detail = words(error, selection);
      if (error.code === "nothing_eligible") {
        // The server judged the field as if it were turned down; it still stands.
        const others = (error.body.excluded || []).filter((entry) => entry.item_id !== selection.item_id);
        this.problem(error.detail, others);
      }
      this.refreshPreview(0);
      throw error;
    }
  }

  async turnDownFrom(button, selection) {
    button.disabled = true;
    try {
      await this.turnDown(selection);
    } catch (error) {
      showError(error);
      button.disabled = false;
    }
  }

  problem(text, excluded = []) {
    const box = $("#pick-problem");
    box.hidden = !text;
    box.replaceChildren(
      text ? h("p", { text }) : "",
      excluded.length ? h("details", { class: "more why-not", open: true }, h("summary", { text: _("What is left out, and why") }), excludedList(excluded)) : "",
    );
  }

  async pick() {
    const { state } = this;
    if (this.picking) return;
    this.picking = true;
    this.problem("");
    this.render();
    try {
      const selection = await api("POST", `/queue/room/${this.cfg.room_id}/select`, { mode: $("#pick-mode").value });
      state.selection = selection;
      if (state.preview) state.preview = { ...state.preview, standing: selection };
      this.show(selection);
    } catch (error) {
      this.refused(error);
    } finally {
      this.picking = false;
      this.render();
    }
  }

  // A refused pick, in words: which pick stands, that a round is running, or why nothing can be
  // picked, item by item.
  refused(error) {
    const { state } = this;
    switch (error.code) {
      case "pick_standing": {
        const standing = error.body.selection;
        if (standing && state.preview) state.preview = { ...state.preview, standing };
        this.rerender();
        toast(standing ? format(_("%(title)s is already tonight's pick. Turn it down to pick again, or watch it."), { title: standing.item_title }) : _("A pick is already tonight's pick. Turn it down to pick again, or watch it."), { kind: "error", key: "pick" });
        return;
      }
      case "round_running":
        toast(_("A voting round is running: when its countdown ends, it picks for you."), { kind: "error", key: "pick" });
        return;
      case "nothing_eligible":
        this.problem(error.detail, error.body.excluded || []);
        toast(error.detail, { kind: "error", key: "pick" });
        return;
      default:
        showError(error);
    }
  }
}
