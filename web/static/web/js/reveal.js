// The pick, revealed the same way on every phone and on the TV: the titles in play flicker past,
// slowing down, and land on the one chosen, with the reason in words.
import { announce, h, poster } from "./ui.js";

const MODE_NAMES = { weighted_random: "Weighted random", highest_votes: "Highest votes", round_robin: "Round robin" };
const SPIN_MS = 2600;
const shown = new Set();
// The timers of the reveal on screen: a newer pick cancels them, so an older one's landing or
// closing never writes into the newer one's dialog.
let timers = [];

function later(run, ms) {
  timers.push(setTimeout(run, ms));
}

export function modeName(mode) {
  return MODE_NAMES[mode] || mode;
}

// Why this film, as a sentence, from the reason the server recorded with the pick.
export function reasonText(selection, nameOf) {
  const reason = selection.reason || {};
  const title = selection.item_title;
  switch (selection.mode) {
    case "weighted_random": {
      const chosen = (reason.candidates || []).find((c) => c.item_id === selection.item_id);
      const share = chosen ? Math.round(chosen.probability * 100) : null;
      const others = Math.max(0, (reason.candidates || []).length - 1);
      return chosen
        ? `A weighted draw among ${others + 1} films: ${title} had weight ${chosen.weight} of ${reason.total_weight}, a ${share}% chance. Seed ${reason.seed}, so anyone can check it.`
        : `A weighted draw picked ${title}.`;
    }
    case "highest_votes": {
      const score = reason.top_score > 0 ? `+${reason.top_score}` : String(reason.top_score);
      const tie = { earliest_added: " It tied, and was added first.", lowest_id: " It tied, and won on its id." }[reason.tie_break] || "";
      return `${title} has the best score, ${score}.${tie}`;
    }
    case "round_robin": {
      const whose = nameOf(reason.turn);
      const when = reason.last_pick_at ? "their last pick was the longest ago" : "they had not had a pick yet";
      return `It was ${whose}'s turn (${when}), and ${title} is their best-voted film.`;
    }
    default:
      return `${title} was picked.`;
  }
}

function reducedMotion() {
  return window.matchMedia("(prefers-reduced-motion: reduce)").matches;
}

// Show a pick once per page, however many events carry it.
export function reveal(selection, { titles, nameOf, onWatch = null, autoCloseSeconds = 0 }) {
  if (shown.has(selection.id)) return;
  shown.add(selection.id);
  for (const timer of timers) clearTimeout(timer);
  timers = [];
  const dialog = document.getElementById("reveal-dialog");
  const title = document.getElementById("reveal-title");
  const posterBox = document.getElementById("reveal-poster");
  const reason = document.getElementById("reveal-reason");
  const watch = document.getElementById("reveal-watch");
  document.getElementById("reveal-mode").textContent = `${modeName(selection.mode)} pick`;
  posterBox.replaceChildren();
  reason.textContent = "";
  if (watch) watch.hidden = true;
  dialog.classList.remove("landed");
  dialog.classList.add("spinning");
  if (!dialog.open) dialog.showModal();

  const land = () => {
    dialog.classList.remove("spinning");
    dialog.classList.add("landed");
    title.textContent = selection.item_title;
    if (selection.item) posterBox.replaceChildren(poster(selection.item));
    reason.textContent = reasonText(selection, nameOf);
    announce(`Picked: ${selection.item_title}.`, { urgent: true });
    if (watch && onWatch && selection.item && selection.item.status === "queued") {
      watch.hidden = false;
      watch.onclick = () => {
        dialog.close();
        onWatch(selection);
      };
    }
    if (autoCloseSeconds) later(() => dialog.open && dialog.close(), autoCloseSeconds * 1000);
  };

  const pool = titles.length > 1 ? titles : [selection.item_title];
  if (reducedMotion() || pool.length < 2) {
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

export function lastPickLine(selection, nameOf) {
  return h(
    "p",
    {},
    h("span", { class: "eyebrow block", text: "Last pick" }),
    h("strong", { text: selection.item_title }),
    ` · ${modeName(selection.mode)}${selection.selected_by ? `, by ${nameOf(selection.selected_by)}` : ""}`,
  );
}
