// Live notifications over the graphql-transport-ws protocol, on the same origin as the page.
//
// - The socket signs in with the session token in connection_init (never in the URL).
// - It subscribes with the id of the last notification seen, kept in sessionStorage, so the server
//   replays what arrived meanwhile (after a drop, a reload or a restart of the server), then streams.
// - Delivery is at least once: a notification whose id was already seen is dropped.
// - After a drop it reconnects with exponential backoff and jitter (0.5 s doubling to 30 s), and starts
//   again from the cursor. A refused sign-in (4403, or UNAUTHENTICATED) stops it: the session has ended.

import { operationDocument } from "./api.js";

const PROTOCOL = "graphql-transport-ws";
const CURSOR = "taf.notifications.after";
const FIRST_DELAY = 500;
const MAX_DELAY = 30_000;

let socket = null;
let running = false;
let token = null;
let attempts = 0;
let timer = null;
let onEnded = () => {};
const seen = new Set();
const listeners = new Set();

/** Call `listener(notification)` for each new notification; returns a function that stops it. */
export function onNotification(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export const lastSeen = () => sessionStorage.getItem(CURSOR);

function remember(id) {
  const last = lastSeen();
  if (!last || newer(id, last)) sessionStorage.setItem(CURSOR, id);
}

const newer = (id, than) => (/^\d+$/.test(id) && /^\d+$/.test(than) ? BigInt(id) > BigInt(than) : id !== than);

/** Start (or keep) the live connection for `sessionToken`. `after`: where to start if nothing was seen yet. */
export function start(sessionToken, { after = null, ended = () => {} } = {}) {
  onEnded = ended;
  if (after && !lastSeen()) remember(after);
  if (running && token === sessionToken) return;
  stop();
  running = true;
  token = sessionToken;
  connect();
}

/** Close the connection; `forget` also drops the cursor (on sign-out, so the next user starts afresh). */
export function stop({ forget = false } = {}) {
  running = false;
  clearTimeout(timer);
  if (forget) {
    sessionStorage.removeItem(CURSOR);
    seen.clear();
  }
  if (socket) {
    const closing = socket;
    socket = null;
    closing.close(1000);
  }
}

function send(ws, message) {
  if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(message));
}

async function connect() {
  let query;
  try {
    query = await operationDocument("Notifications");
  } catch {
    return retry();
  }
  if (!running) return;
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss:" : "ws:"}//${location.host}/graphql`, PROTOCOL);
  socket = ws;
  ws.addEventListener("open", () => send(ws, { type: "connection_init", payload: { Authorization: `Bearer ${token}` } }));
  ws.addEventListener("message", (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === "connection_ack") {
      attempts = 0;
      const after = lastSeen();
      send(ws, { id: "notifications", type: "subscribe", payload: { query, operationName: "Notifications", variables: after ? { after } : {} } });
    } else if (message.type === "ping") {
      send(ws, { type: "pong" });
    } else if (message.type === "next") {
      const { data, errors } = message.payload || {};
      if (errors && errors.length) return failed(ws, errors);
      if (data && data.notifications) deliver(data.notifications);
    } else if (message.type === "error") {
      failed(ws, Array.isArray(message.payload) ? message.payload : []);
    } else if (message.type === "complete") {
      ws.close(1000); // the server ended the stream (e.g. we fell behind): subscribe again from the cursor
    }
  });
  ws.addEventListener("close", (event) => {
    if (socket !== ws) return; // replaced or stopped on purpose
    socket = null;
    if (!running) return;
    if (event.code === 4403 || event.code === 4401) return ended();
    retry();
  });
}

function failed(ws, errors) {
  if (errors.some((error) => error.extensions && error.extensions.code === "UNAUTHENTICATED")) {
    socket = null;
    ws.close(1000);
    return ended();
  }
  ws.close(1000);
}

function ended() {
  running = false;
  onEnded();
}

function retry() {
  if (!running) return;
  const delay = Math.min(MAX_DELAY, FIRST_DELAY * 2 ** attempts) * (0.5 + Math.random() / 2);
  attempts += 1;
  clearTimeout(timer);
  timer = setTimeout(connect, delay);
}

function deliver(notification) {
  const last = lastSeen();
  if (seen.has(notification.id) || (last && !newer(notification.id, last))) return;
  seen.add(notification.id);
  remember(notification.id);
  for (const listener of listeners) listener(notification);
}

// Back online: try at once instead of waiting out the backoff.
window.addEventListener("online", () => {
  if (running && !socket) {
    clearTimeout(timer);
    attempts = 0;
    connect();
  }
});
