// The pick, revealed the same way on every phone and on the TV: the titles in play flicker past,
// slowing down, and land on the one chosen, with the reason in words, the others that were in
// the running, and why the rest were not. It closes by itself a little later, unless someone
// starts using it, and hands the focus back to where it was. A draw's seed is not shown: it is
// behind "Check this draw", a page that replays it.
import { _, format, phrased } from "./i18n.js";
import { excludedList } from "./tonight.js";
import { announce, h, poster } from "./ui.js";

const MODE_NAMES = { weighted_random: _("Weighted random"), highest_votes: _("Highest votes"), round_robin: _("Round robin"), consensus: _("Consensus") };
const SPIN_MS = 2600;
const CANDIDATES_SHOWN = 6;
const AUTO_CLOSE_SECONDS = 10;
const shown = new Set();
// Where the focus was before the reveal opened, to go back to; and whether the person has
// started using the reveal (then it stays until they close it).
let returnTo = null;
let engaged = false;
let closeTimer = null;
let wired = false;
// The timers of the reveal on screen: a newer pick cancels them, so an older one's landing or
// closing never writes into the newer one's dialog.
let timers = [];

function later(run, ms) {
  timers.push(setTimeout(run, ms));
}

export function modeName(mode) {
  return MODE_NAMES[mode] || mode;
}

// Why this film, in the server's words, in the page's language.
export function reasonText(selection) {
  const reason = selection.reason || {};
  return phrased(reason.summary_phrase) || reason.summary || format(_("%(title)s was picked."), { title: selection.item_title });
}

function signed(score) {
  return score > 0 ? `+${score}` : String(score);
}

// Who was in the running, each with its chance in a draw (else its score), the pick first.
export function candidatesList(selection) {
  const candidates = [...((selection.reason || {}).candidates || [])];
  const draw = candidates.some((candidate) => typeof candidate.chance === "number");
  if (draw) candidates.sort((a, b) => b.chance - a.chance);
  const rest = candidates.length - CANDIDATES_SHOWN;
  const entries = candidates.slice(0, CANDIDATES_SHOWN).map((candidate) => {
    const chosen = candidate.item_id === selection.item_id;
    const figure = draw ? `${candidate.chance}%` : signed(candidate.vote_score);
    return h(
      "li",
      { class: chosen ? "chosen" : "" },
      h("span", { class: "candidate-title", text: candidate.title }),
      h("span", { class: "candidate-figure", text: figure, "aria-label": draw ? format(_("%(chance)s percent chance"), { chance: candidate.chance }) : format(_("score %(score)s"), { score: figure }) }),
    );
  });
  if (rest > 0) entries.push(h("li", { class: "muted", text: format(_("and %(count)s more"), { count: rest }) }));
  return entries;
}

function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

// Show a pick once per page, however many events carry it; `again` shows it once more, landed.
// turnDown() -> { label, run(selection) -> Promise } | null, asked when the pick lands, offers
// to turn it down; a refusal's words are shown in the dialog.
// `autoCloseSeconds` after it lands it closes by itself (0: never; a reveal asked for `again`
// stays until closed).
export function reveal(selection, { titles, onWatch = null, turnDown = null, again = false, autoCloseSeconds = again ? 0 : AUTO_CLOSE_SECONDS }) {
  if (shown.has(selection.id) && !again) return;
  shown.add(selection.id);
  for (const timer of timers) clearTimeout(timer);
  timers = [];
  const dialog = document.getElementById("reveal-dialog");
  wire(dialog);
  const title = document.getElementById("reveal-title");
  const posterBox = document.getElementById("reveal-poster");
  const reason = document.getElementById("reveal-reason");
  const watch = document.getElementById("reveal-watch");
  const refuse = document.getElementById("reveal-turn-down");
  const more = document.getElementById("reveal-more");
  const problem = document.getElementById("reveal-error");
  document.getElementById("reveal-mode").textContent = format(_("%(mode)s pick"), { mode: modeName(selection.mode) });
  // A button about to hide (turning the last pick down) hands the focus to "Close".
  if (dialog.open && dialog.querySelector("#reveal-actions").contains(document.activeElement)) {
    document.getElementById("reveal-close").focus();
  }
  posterBox.replaceChildren();
  reason.textContent = "";
  document.getElementById("reveal-check").hidden = true;
  stopTimer();
  more.hidden = true;
  problem.hidden = true;
  if (watch) watch.hidden = true;
  if (refuse) refuse.hidden = true;
  dialog.classList.remove("landed");
  dialog.classList.add("spinning");
  if (!dialog.open) {
    returnTo = document.activeElement;
    engaged = false;
    dialog.showModal();
    // The dialog itself takes the focus, not its "Close": a keyboard is not sent anywhere.
    dialog.focus();
  }

  const land = () => {
    dialog.classList.remove("spinning");
    dialog.classList.add("landed");
    title.textContent = selection.item_title;
    if (selection.item) posterBox.replaceChildren(poster(selection.item));
    reason.textContent = reasonText(selection);
    showCheck(selection);
    showMore(selection);
    announce(format(_("Picked: %(title)s."), { title: selection.item_title }), { urgent: true });
    if (watch && onWatch && selection.item && selection.item.status === "queued") {
      watch.hidden = false;
      watch.onclick = () => {
        dialog.close();
        onWatch(selection);
      };
    }
    const offer = turnDown && !selection.turned_down_at ? turnDown() : null;
    if (refuse && offer) {
      refuse.hidden = false;
      refuse.disabled = false;
      refuse.textContent = offer.label;
      refuse.onclick = async () => {
        refuse.disabled = true;
        problem.hidden = true;
        try {
          await offer.run(selection);
        } catch (error) {
          problem.textContent = error.detail || String(error);
          problem.hidden = false;
          refuse.disabled = false;
        }
      };
    }
    if (autoCloseSeconds && !engaged) closeIn(dialog, autoCloseSeconds);
  };

  const pool = titles.length > 1 ? titles : [selection.item_title];
  if (again || reducedMotion() || pool.length < 2) {
    land();
    return;
  }
  const started = performance.now();
  let index = 0;
  const step = () => {
    const elapsed = performance.now() - started;
    if (elapsed >= SPIN_MS) {
      land();
      return;
    }
    index = (index + 1) % pool.length;
    title.textContent = pool[index];
    // Slow down as it goes, like a wheel: 60 ms between titles at first, 320 ms at the end.
    later(step, 60 + 260 * (elapsed / SPIN_MS) ** 2);
  };
  title.textContent = pool[0];
  step();
}

// A draw can be checked: its seed and the weights, replayed, on a page of its own; a "draw"
// with one film in it had nothing to check.
function showCheck(selection) {
  const check = document.getElementById("reveal-check");
  const drawn = ((selection.reason || {}).candidates || []).length;
  check.hidden = selection.seed === null || selection.seed === undefined || drawn < 2;
  document.getElementById("reveal-check-link").href = `/r/${selection.room_id}/picks/${selection.id}`;
}

function closeIn(dialog, seconds) {
  const bar = document.getElementById("reveal-timer");
  bar.hidden = false;
  bar.firstElementChild.animate([{ transform: "scaleX(1)" }, { transform: "scaleX(0)" }], { duration: seconds * 1000, easing: "linear", fill: "forwards" });
  closeTimer = setTimeout(() => dialog.open && dialog.close(), seconds * 1000);
}

function stopTimer() {
  clearTimeout(closeTimer);
  closeTimer = null;
  const bar = document.getElementById("reveal-timer");
  bar.hidden = true;
  bar.firstElementChild.getAnimations().forEach((animation) => animation.cancel());
}

// Once per page: someone using the reveal keeps it open; closing it hands the focus back.
function wire(dialog) {
  if (wired) return;
  wired = true;
  const engage = (event) => {
    if (event.type === "keydown" && event.key === "Escape") return;
    if (engaged) return;
    engaged = true;
    stopTimer();
  };
  dialog.addEventListener("pointerdown", engage);
  dialog.addEventListener("keydown", engage);
  dialog.addEventListener("close", () => {
    for (const timer of timers) clearTimeout(timer);
    timers = [];
    stopTimer();
    const back = returnTo;
    returnTo = null;
    if (back && back !== document.body && back.isConnected && typeof back.focus === "function") back.focus({ preventScroll: true });
  });
}

function showMore(selection) {
  const reason = selection.reason || {};
  const candidates = candidatesList(selection);
  const excluded = reason.excluded || [];
  document.getElementById("reveal-candidates").replaceChildren(...candidates);
  document.getElementById("reveal-candidates").hidden = candidates.length < 2;
  document.getElementById("reveal-candidates-title").hidden = candidates.length < 2;
  const why = document.getElementById("reveal-why");
  why.hidden = !excluded.length;
  why.open = false;
  why.querySelector("summary").textContent = format(_("Why not the others? (%(count)s)"), { count: excluded.length });
  document.getElementById("reveal-excluded").replaceChildren(excluded.length ? excludedList(excluded) : "");
  document.getElementById("reveal-more").hidden = candidates.length < 2 && !excluded.length;
}

export function lastPickLine(selection, nameOf) {
  return h(
    "p",
    {},
    h("span", { class: "eyebrow block", text: _("Last pick") }),
    h("strong", { text: selection.item_title }),
    " · " + (selection.selected_by ? format(_("%(mode)s, by %(name)s"), { mode: modeName(selection.mode), name: nameOf(selection.selected_by) }) : modeName(selection.mode)),
  );
}
