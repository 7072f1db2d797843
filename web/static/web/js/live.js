// Keeps a page live. It loads the room's snapshot, then follows the room's events from that
// snapshot's number: over the WebSocket for a member, over Server-Sent Events for a screen.
// After any drop (the network, the server restarting, a phone waking up) it says so, and
// reconnects by itself with growing pauses, refetching the snapshot first, so that the page is
// right again however long it was away.
import { _ } from "./i18n.js";
import { api } from "./api.js";
import { CONNECTION, dismissToasts } from "./ui.js";

const PAUSES_MS = [500, 1000, 2000, 4000, 8000, 15000];
const EVENT_TYPES = [
  "room_update", "room_deleted", "member_update", "queue_update", "vote_update", "selection",
  "voting_round_start", "voting_round_end", "history_update", "user_joined", "user_left",
  "evening_update", "seen_update", "match",
];
// Close codes the server uses when the member may no longer be here (see realtime/consumers.py).
const GONE_CODES = new Set([4401, 4403, 4410]);
// The room was closed: no reconnecting until the page asks (the host reopening it).
const ROOM_CLOSED_CODE = 4423;

export class Live {
  constructor({ roomId, userId = null, heartbeatSeconds = 30, onSnapshot, onEvent, onStatus, onGone, onTrouble = null }) {
    this.roomId = roomId;
    this.userId = userId;
    this.silenceMs = (heartbeatSeconds * 2 + 10) * 1000;
    this.onSnapshot = onSnapshot;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.onGone = onGone;
    this.onTrouble = onTrouble;
    this.seq = 0;
    this.attempt = 0;
    this.socket = null;
    this.stream = null;
    this.timer = null;
    this.watchdog = null;
    this.lastHeard = Date.now();
    this.stopped = false;
    this.paused = false;
    // Each connect() takes a new number; one that finds a newer number after waiting gives way,
    // so two reconnects at once (a phone waking fires "online" and "visibilitychange") open one
    // transport, not two.
    this.generation = 0;
  }

  start() {
    window.addEventListener("online", () => this.reconnectNow());
    window.addEventListener("offline", () => this.status("offline"));
    document.addEventListener("visibilitychange", () => {
      // A phone that slept may hold a socket that is dead without having been closed.
      const quiet = Date.now() - this.lastHeard > this.silenceMs / 2;
      if (document.visibilityState !== "visible") return;
      if (this.state !== "live") this.reconnectNow();
      else if (this.socket && quiet) this.connect();
    });
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    this.closeTransport();
  }

  status(state) {
    this.state = state;
    this.onStatus(state);
  }

  async connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    const generation = ++this.generation;
    this.closeTransport();
    if (this.attempt === 0) this.status("connecting");
    let snapshot;
    try {
      snapshot = await api("GET", `/rooms/${this.roomId}/snapshot`);
    } catch (error) {
      if (generation !== this.generation) return;
      if ([401, 403, 404].includes(error.status)) {
        this.stop();
        this.onGone(error);
        return;
      }
      // The server answered, but not with the room: say what it said, and keep trying.
      if (error.status && this.onTrouble) this.onTrouble(error);
      this.retry();
      return;
    }
    if (this.stopped || generation !== this.generation) return;
    this.seq = snapshot.seq;
    // A page may fetch more before it is ready for events (the history its entries).
    await this.onSnapshot(snapshot);
    if (this.stopped || generation !== this.generation) return;
    if (this.userId) this.openSocket();
    else this.openStream();
  }

  retry() {
    this.closeTransport();
    if (this.stopped) return;
    this.status("offline");
    const pause = PAUSES_MS[Math.min(this.attempt, PAUSES_MS.length - 1)];
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), pause * (0.75 + Math.random() * 0.5));
  }

  // After the room was closed and reopened: connect again.
  resume() {
    if (this.stopped || !this.paused) return;
    this.paused = false;
    this.attempt = 0;
    this.connect();
  }

  reconnectNow() {
    if (this.stopped || this.paused || this.state === "live") return;
    this.attempt = Math.max(this.attempt, 1);
    this.connect();
  }

  closeTransport() {
    clearTimeout(this.watchdog);
    if (this.socket) {
      const socket = this.socket;
      this.socket = null;
      socket.onclose = socket.onmessage = socket.onerror = socket.onopen = null;
      socket.close();
    }
    if (this.stream) {
      this.stream.close();
      this.stream = null;
    }
  }

  heard() {
    this.lastHeard = Date.now();
    clearTimeout(this.watchdog);
    // The server pings a WebSocket every heartbeat; one that stays silent longer is dead. (An
    // SSE stream's keep-alives are comments that never reach the page; EventSource itself
    // notices a dead stream.)
    if (this.socket) this.watchdog = setTimeout(() => this.retry(), this.silenceMs);
  }

  opened() {
    this.attempt = 0;
    this.heard();
    this.status("live");
  }

  // The member's token rides in the room's cookie: the server accepts it for a page of its own.
  openSocket() {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const path = `/ws/${this.roomId}/${encodeURIComponent(this.userId)}?since=${this.seq}`;
    const socket = new WebSocket(`${scheme}//${location.host}${path}`);
    this.socket = socket;
    socket.onopen = () => this.opened();
    socket.onmessage = (message) => {
      this.heard();
      let data;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data.type === "ping") socket.send(JSON.stringify({ type: "pong" }));
      else if (data.type === "resync") this.connect();
      else this.deliver(data);
    };
    socket.onclose = (closed) => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (GONE_CODES.has(closed.code)) {
        this.stop();
        this.onGone({ status: closed.code, code: closed.code === 4410 ? "room_deleted" : "gone" });
      } else if (closed.code === ROOM_CLOSED_CODE) {
        this.paused = true;
        this.closeTransport();
        this.status("closed");
      } else {
        this.retry();
      }
    };
  }

  openStream() {
    const stream = new EventSource(`/api/events/room/${this.roomId}?last_event_id=${this.seq}`);
    this.stream = stream;
    stream.onopen = () => this.opened();
    const receive = (message) => {
      this.heard();
      const data = JSON.parse(message.data);
      if (data.type === "resync") this.connect();
      else this.deliver(data);
    };
    for (const type of [...EVENT_TYPES, "resync"]) stream.addEventListener(type, receive);
    // EventSource would reconnect by itself, but without refetching: do it our way instead.
    stream.onerror = () => {
      if (this.stream === stream) this.retry();
    };
  }

  deliver(data) {
    if (typeof data.seq === "number") {
      if (data.seq <= this.seq) return;
      this.seq = data.seq;
    }
    this.onEvent(data, { live: true });
  }
}

// "removed" and "deleted" are final: the page no longer reconnects, so it does not say so.
export function statusLabel(state) {
  return {
    live: _("Live"),
    connecting: _("Connecting…"),
    offline: _("Offline · reconnecting…"),
    closed: _("Room closed"),
    removed: _("Removed from the room"),
    deleted: _("Room deleted"),
  }[state] || state;
}

export function showStatus(state) {
  // Back live: what the drop made fail has been put right by the refetch.
  if (state === "live") dismissToasts(CONNECTION);
  const element = document.getElementById("conn");
  if (!element) return;
  element.dataset.state = state;
  element.querySelector(".conn-text").textContent = statusLabel(state);
}
