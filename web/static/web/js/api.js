// The REST API, as every page's script calls it: JSON in and out, the member's token in the
// Authorization header (never in a URL), and every failure as an ApiError whose `detail` is the
// server's sentence for people.
import { _, format } from "./i18n.js";

export class ApiError extends Error {
  constructor(status, body) {
    super(body.detail || format(_("The server answered %(status)s."), { status }));
    this.status = status;
    this.code = body.error;
    this.detail = this.message;
    this.fields = body.fields || {};
    this.body = body;
  }
}

const OFFLINE = _("Could not reach the server. Check your connection; the page reconnects by itself.");
let token = null;

export function useToken(value) {
  token = value;
}

// A page's token comes masked with random bytes of that answer's own, the bytes first, so that
// the page can be sent compressed without its token ever in the same bytes (web/views.py).
export function unmasked(masked) {
  const bytes = Uint8Array.from(atob(masked.replace(/-/g, "+").replace(/_/g, "/")), (char) => char.charCodeAt(0));
  const half = bytes.length / 2;
  return new TextDecoder().decode(bytes.slice(half).map((byte, index) => byte ^ bytes[index]));
}

// `keepalive` lets a request outlive the page (one sent as the page is left).
export async function api(method, path, body, { signal, keepalive = false } = {}) {
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(`/api${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
      credentials: "omit",
      signal,
      keepalive,
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, { error: "offline", detail: OFFLINE });
  }
  if (response.status === 204) return null;
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(response.status, data && typeof data === "object" ? data : { error: `http_${response.status}` });
  }
  return data;
}

// A browser keeps its token for each room in a cookie, so that a reload, or a visit days later,
// finds the member still in the room. The server sets it (HttpOnly: no script reads it) and
// reads it to render the room's pages and to accept the page's WebSocket and event stream; a
// page gets its token from the server in its config, never from the cookie.
export async function rememberToken(roomId, value) {
  const response = await fetch(`/r/${encodeURIComponent(roomId)}/session`, {
    method: "POST",
    headers: { Authorization: `Bearer ${value}` },
    credentials: "same-origin",
  });
  if (!response.ok) throw new ApiError(response.status, { error: `http_${response.status}` });
}

export function forgetToken(roomId) {
  return fetch(`/r/${encodeURIComponent(roomId)}/session`, { method: "DELETE", credentials: "same-origin" }).catch(
    () => null,
  );
}
