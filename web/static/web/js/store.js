// A room's state as a page holds it: loaded from a snapshot, moved on by each event. Every event
// carries the whole state it is about (the item, its counts, everyone present), so applying one
// twice, or after a snapshot that already had it, changes nothing.

const SCORE_ORDER = (a, b) =>
  b.vote_score - a.vote_score || a.added_at.localeCompare(b.added_at) || a.id.localeCompare(b.id);

export class RoomState {
  constructor() {
    this.room = null;
    this.items = new Map();
    this.votes = new Map(); // item id -> Map(user_id -> "up" | "down")
    this.round = null;
    this.selection = null;
    this.presence = [];
    this.you = null;
    this.clockOffsetMs = 0;
    this.gone = null;
    this.removed = new Set();
    // Items this page is removing, with an undo still possible (removal.js): not shown.
    this.hiding = new Set();
    // Tonight (`GET /api/rooms/{id}/tonight`) and what a pick would choose among now
    // (`GET …/select/preview`); both fetched besides the snapshot, and kept by events.
    this.tonight = null;
    this.preview = null;
  }

  // An item from an API answer: taken only if no event has told of it yet.
  learn(item) {
    if (!this.items.has(item.id) && !this.removed.has(item.id)) this.items.set(item.id, item);
  }

  load(snapshot) {
    this.room = snapshot.room;
    this.items = new Map(snapshot.queue.map((item) => [item.id, item]));
    this.votes = new Map();
    for (const vote of snapshot.votes) this.voteMap(vote.item_id).set(vote.user_id, vote.vote);
    this.round = snapshot.round;
    this.selection = snapshot.selection;
    this.presence = snapshot.presence;
    this.you = snapshot.you;
    this.clockOffsetMs = new Date(snapshot.server_time).getTime() - Date.now();
  }

  voteMap(itemId) {
    if (!this.votes.has(itemId)) this.votes.set(itemId, new Map());
    return this.votes.get(itemId);
  }

  // Apply one event; returns what a page may want to tell the person about it.
  apply(event) {
    switch (event.type) {
      case "room_update":
        this.room = event.room;
        return { kind: "room" };
      case "room_deleted":
        this.gone = "deleted";
        return { kind: "gone" };
      case "member_update":
        this.room = { ...this.room, members: event.members, host: hostOf(event.members) };
        if (event.action === "removed") {
          this.room.former_members = [...(this.room.former_members || []), event.member];
          // Gone from who is here at once, not when their closed connection is counted out.
          this.presence = this.presence.filter((user) => user.user_id !== event.member.user_id);
        }
        if (this.you && event.member.user_id === this.you.user_id) {
          if (event.action === "removed") {
            this.gone = "removed";
            return { kind: "gone" };
          }
          this.you = event.member;
        }
        return { kind: "members", action: event.action, member: event.member };
      case "queue_update":
        return this.applyItem(event);
      case "vote_update":
        return this.applyVote(event);
      case "selection":
        this.selection = event.selection;
        return { kind: "selection", selection: event.selection };
      case "voting_round_start":
      case "voting_round_end":
        this.round = event.round;
        if (event.selection) this.selection = event.selection;
        return { kind: "round", round: event.round, selection: event.selection || null };
      case "user_joined":
      case "user_left":
      case "presence":
        this.presence = event.users;
        return { kind: "presence", type: event.type, user: event.user || null };
      case "history_update":
        return { kind: "history", action: event.action, entry: event.entry };
      case "evening_update":
        return this.applyEvening(event);
      case "seen_update":
        if (this.tonight) {
          const others = this.tonight.seen.filter((entry) => entry.item_id !== event.item_id);
          this.tonight = { ...this.tonight, seen: event.seen_by.length ? [...others, { item_id: event.item_id, by: event.seen_by }] : others };
        }
        return { kind: "seen", itemId: event.item_id, seenBy: event.seen_by };
      case "match":
        if (this.tonight) this.tonight = { ...this.tonight, matches: event.matches };
        return { kind: "match", itemId: event.item_id, title: event.title, matched: event.matched, attendees: event.attendees };
      default:
        return { kind: "unknown" };
    }
  }

  // An evening's event shows nobody's vetoes when the room hides who vetoed: a member's page
  // then keeps its own view, and fetches it again (`complete` says whether it needs to).
  applyEvening(event) {
    const before = this.tonight;
    const next = event.tonight;
    const complete = Boolean(this.room && this.room.settings.vetoes_public) || !this.you;
    const sameEvening = Boolean(before && before.evening && next.evening && before.evening.id === next.evening.id);
    if (complete || !sameEvening) {
      this.tonight = next;
    } else {
      // Until the page's own view arrives, its vetoes stay as they were.
      const me = this.you.user_id;
      const mine = before.attendance.find((entry) => entry.user_id === me);
      this.tonight = {
        ...next,
        vetoes: before.vetoes,
        attendance: next.attendance.map((entry) => (entry.user_id === me && mine ? { ...entry, vetoes_left: mine.vetoes_left } : entry)),
      };
    }
    const newEvening = Boolean(before && before.evening && next.evening && !sameEvening);
    return { kind: "tonight", complete, newEvening };
  }

  applyItem(event) {
    const item = event.item;
    const known = this.items.has(item.id);
    if (event.action === "removed" || item.status === "watched") {
      if (event.action === "removed") this.removed.add(item.id);
      this.items.delete(item.id);
      this.votes.delete(item.id);
      return { kind: "item", action: event.action, item, known };
    }
    this.items.set(item.id, item);
    return { kind: "item", action: event.action, item, known };
  }

  applyVote(event) {
    const item = this.items.get(event.item_id);
    const voters = this.voteMap(event.item_id);
    const before = voters.get(event.user_id) || null;
    if (event.vote) voters.set(event.user_id, event.vote);
    else voters.delete(event.user_id);
    if (item) {
      this.items.set(item.id, { ...item, upvotes: event.upvotes, downvotes: event.downvotes, vote_score: event.vote_score });
    }
    return { kind: "vote", item: this.items.get(event.item_id) || null, userId: event.user_id, vote: event.vote, before };
  }

  queued() {
    return [...this.items.values()].filter((item) => item.status === "queued" && !this.hiding.has(item.id)).sort(SCORE_ORDER);
  }

  watching() {
    return [...this.items.values()].find((item) => item.status === "watching") || null;
  }

  member(userId) {
    // A member who left is no longer listed, but what they added and rated keeps their name.
    const known = this.room ? [...this.room.members, ...(this.room.former_members || [])] : [];
    return known.find((member) => member.user_id === userId) || { user_id: userId, name: userId, avatar: "" };
  }

  myVote(itemId) {
    return this.you ? (this.votes.get(itemId) || new Map()).get(this.you.user_id) || null : null;
  }

  // Tonight, as the page shows it.

  seenBy(itemId) {
    const entry = this.tonight && this.tonight.seen.find((seen) => seen.item_id === itemId);
    return entry ? entry.by : [];
  }

  vetoesOn(itemId) {
    return this.tonight ? this.tonight.vetoes.filter((veto) => veto.item_id === itemId) : [];
  }

  isMatch(itemId) {
    return Boolean(this.tonight && this.tonight.matches.includes(itemId));
  }

  attendance(userId) {
    return this.tonight ? this.tonight.attendance.find((entry) => entry.user_id === userId) || null : null;
  }

  vetoesLeft() {
    const mine = this.you && this.attendance(this.you.user_id);
    if (mine && mine.vetoes_left !== null) return mine.vetoes_left;
    return this.tonight ? this.tonight.vetoes_per_evening : 0;
  }

  // Why tonight's pick leaves an item out ([{code, text}]), or null when it may be picked.
  excludedWhy(itemId) {
    const entry = this.preview && this.preview.excluded.find((excluded) => excluded.item_id === itemId);
    return entry ? entry.reasons : null;
  }

  candidate(itemId) {
    return this.preview ? this.preview.candidates.find((candidate) => candidate.item_id === itemId) || null : null;
  }

  // Tonight's pick while it stands (not turned down, its item still queued).
  standing() {
    return this.preview ? this.preview.standing : null;
  }

  isHost() {
    return Boolean(this.you && this.room && this.room.host === this.you.user_id);
  }

  isOpen() {
    return Boolean(this.room && this.room.status === "open");
  }

  roundSecondsLeft() {
    if (!this.round || this.round.status !== "open") return 0;
    return (new Date(this.round.ends_at).getTime() - (Date.now() + this.clockOffsetMs)) / 1000;
  }

  roundLength() {
    if (!this.round) return 1;
    return Math.max(1, (new Date(this.round.ends_at) - new Date(this.round.started_at)) / 1000);
  }
}

function hostOf(members) {
  const host = members.find((member) => member.is_host);
  return host ? host.user_id : null;
}
