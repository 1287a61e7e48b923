// The agent console's chat page: queue and my chats live over /ws/agent, the open chat
// watched with `after=<last seq>`, every action through the agent API, keyboard shortcuts.

import { LiveSocket } from "../shared/socket.js";
import { ApiError, enc, get, loginUrl, post, wsUrl } from "./api.js";
import { ChatPanel } from "./chatpanel.js";
import { ContextPanel } from "./context.js";
import { uploadForEmployee } from "./files.js";
import { ChatLists } from "./lists.js";
import { Alerter, REASONS, toast, typingInField } from "./ui.js";

const TYPING_EVERY_MS = 3000;
const $ = (id) => document.getElementById(id);

const state = { current: null, mine: new Set(), watched: new Map(), lastTyping: 0 };
const alerter = new Alerter({ region: $("alerts"), toggle: $("sound-toggle") });
const lists = new ChatLists({ onOpen: (id) => openChat(id) });
const socket = new LiveSocket({
  url: () => wsUrl("/ws/agent"),
  onEvent,
  onStatus: showConnection,
  onFatal: () => location.assign(loginUrl()),
  onOpen: () => {
    for (const [id, after] of state.watched) socket.send({ type: "watch", conversation_id: id, after });
    refreshLists();
    if (state.current) openChat(state.current, { quiet: true });
  },
});
const panel = new ChatPanel({
  claim,
  reply: (text) => act("messages", { text }, (message) => addMessage(state.current, message)),
  note: (text) => act("notes", { text }, (message) => addMessage(state.current, message)),
  escalate: (summary, level) =>
    act("escalate", { summary, level }, (result) => toast(`Escalated: ticket ${result.ticket_number} is now with level ${result.level}.`)),
  release: () => act("release", {}, () => toast("The chat is back in the queue.")),
  handback: () => act("handback", {}, () => toast("The bot has the chat again.")),
  close: (resolution, tickets) =>
    act("close", { resolution, resolve_tickets: tickets }, () =>
      toast(tickets.length && resolution ? `Chat closed; resolved: ${tickets.join(", ")}.` : "Chat closed."),
    ),
  attach: async (file) => {
    try {
      await uploadForEmployee(state.current, file);
      toast(`Sent ${file.name} to the employee.`);
      return true;
    } catch (error) {
      if (error.status !== 401) toast(`${file.name} not sent: ${error.message}`, "error");
      return false;
    }
  },
  typing: () => {
    const now = Date.now();
    if (state.current && now - state.lastTyping > TYPING_EVERY_MS && panel.reply.dataset.canReply === "yes") {
      state.lastTyping = now;
      socket.send({ type: "typing", conversation_id: state.current });
    }
  },
});
const context = new ContextPanel({
  onInsert: (text, options) => panel.insert(text, options),
  onChanged: () => state.current && openChat(state.current, { quiet: true }),
});

// --- data ---
async function refreshLists() {
  try {
    const [queue, mine] = await Promise.all([get("/api/agent/queue"), get("/api/agent/conversations")]);
    state.mine = new Set(mine.conversations.map((c) => c.conversation_id));
    lists.update(queue.queue, mine.conversations);
    alerter.waiting(queue.queue.length);
    alerter.stillWaiting(queue.queue.map((c) => c.conversation_id));
    for (const chat of mine.conversations) watch(chat.conversation_id, chat.last_seq);
    for (const id of state.watched.keys()) if (!state.mine.has(id) && id !== state.current) unwatch(id);
  } catch (error) {
    if (error.status !== 401) toast(`Could not load the queue: ${error.message}`, "error");
  }
}

let refreshTimer = null;
function refreshSoon() {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(refreshLists, 150);
}

function watch(id, after) {
  if (state.watched.has(id)) return;
  state.watched.set(id, after);
  socket.send({ type: "watch", conversation_id: id, after });
}

function unwatch(id) {
  state.watched.delete(id);
  socket.send({ type: "unwatch", conversation_id: id });
}

async function openChat(id, { quiet = false } = {}) {
  let data;
  try {
    data = await get(`/api/agent/conversations/${enc(id)}`);
  } catch (error) {
    if (error.status === 404) {
      toast("That chat does not exist (any more).", "error");
      history.replaceState(null, "", location.pathname);
    } else if (error.status !== 401) toast(`Could not open the chat: ${error.message}`, "error");
    return;
  }
  const switched = state.current !== id;
  if (switched && state.current && !state.mine.has(state.current)) unwatch(state.current);
  state.current = id;
  if (switched || !quiet) panel.show(data, state.mine.has(id));
  else {
    for (const message of data.messages) panel.transcript.add(message);
    panel.transcript.updateTurns(data.bot);
    panel.update(data.conversation, state.mine.has(id));
    panel.setContext(data);
  }
  context.render(data);
  lists.setCurrent(id);
  const seq = Math.max(0, ...data.messages.map((m) => m.seq));
  if (!state.watched.has(id)) watch(id, seq);
  history.replaceState(null, "", `#c=${id}`);
}

function addMessage(id, message) {
  if (state.watched.has(id)) state.watched.set(id, Math.max(state.watched.get(id), message.seq));
  if (id === state.current) {
    if (panel.transcript.add(message) && message.sender === "user") {
      panel.typing(false);
      refreshContextSoon();
    }
  } else if (state.mine.has(id) && message.sender === "user") {
    lists.addUnread(id);
  }
}

let contextTimer = null;
function refreshContextSoon() {
  clearTimeout(contextTimer);
  contextTimer = setTimeout(() => state.current && openChat(state.current, { quiet: true }), 800);
}

// --- actions ---
async function claim() {
  const id = state.current;
  if (!id || panel.buttons.claim.disabled) return;
  try {
    await post(`/api/agent/conversations/${enc(id)}/claim`);
    state.mine.add(id);
    toast("You have the chat now: r to reply.");
    // The Claim button is disabled now: its focus goes to the reply box. After the `c` key
    // the focus stays where it was, so that `r` focuses the reply instead of typing into it.
    if (document.activeElement === panel.buttons.claim) panel.reply.focus();
  } catch (error) {
    if (error.status === 409) toast("Another agent was faster: this chat is no longer waiting.", "error");
    else if (error.status !== 401) toast(`Claim failed: ${error.message}`, "error");
  }
  await refreshLists();
  await openChat(id, { quiet: true });
}

/** Run a chat action; show what went wrong; refresh lists and the chat afterwards. */
async function act(path, body, done) {
  const id = state.current;
  if (!id) return false;
  try {
    done(await post(`/api/agent/conversations/${enc(id)}/${path}`, body));
  } catch (error) {
    if (error.status !== 401) toast(`Not done: ${error.message}`, "error");
    return false;
  }
  // The dialog that asked for it closes at once; the lists and the chat catch up after.
  if (path !== "messages" && path !== "notes") refreshLists().then(() => openChat(id, { quiet: true }));
  return true;
}

// --- live events ---
function onEvent(event) {
  const id = event.conversation_id;
  if (event.type === "message") addMessage(id, event.message);
  else if (event.type === "typing" && id === state.current && event.who === "employee") panel.typing(true);
  else if (event.type === "state") {
    refreshSoon();
    if (id === state.current) openChat(id, { quiet: true });
  } else if (event.type === "chat_waiting" || (event.type === "queue" && event.state === "queued")) {
    refreshSoon();
    announce(event);
  } else if (event.type === "queue" || event.type === "queue_changed") refreshSoon();
  else if (event.type === "ticket_reply") toast(`${event.ticket}: the requester replied (${event.subject}).`);
  else if (event.type === "presence") $("presence").textContent = `${event.agents_online} agent(s) online`;
}

function announce(event) {
  const name = typeof event.employee === "string" ? event.employee : event.employee?.name || "An employee";
  const open = document.createElement("button");
  open.type = "button";
  open.textContent = "Open";
  open.addEventListener("click", () => {
    alerter.dismiss();
    openChat(event.conversation_id);
  });
  const reason = REASONS[event.reason] || event.reason || "handoff";
  alerter.show(`New chat waiting: ${name} (${reason})`, open, event.conversation_id);
}

function showConnection(status, detail) {
  const el = $("connection");
  el.dataset.status = status;
  el.textContent =
    status === "open"
      ? "live"
      : status === "retrying"
        ? `connection lost, retrying in ${Math.ceil(detail.seconds)} s`
        : status === "offline"
          ? "offline"
          : status === "connecting"
            ? "connecting…"
            : "disconnected";
}

// --- keyboard ---
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    alerter.dismiss();
    return;
  }
  if (typingInField(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const keys = {
    j: () => lists.move(1),
    k: () => lists.move(-1),
    o: () => lists.focused() && openChat(lists.focused()),
    c: () => claim(),
    r: () => panel.reply.focus(),
    e: () => panel.openEscalate(),
  };
  if (keys[event.key]) {
    event.preventDefault();
    keys[event.key]();
  }
});

// --- start ---
async function start() {
  try {
    panel.setCanned((await get("/api/agent/canned")).canned);
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return;
  }
  await refreshLists();
  const fromHash = new URLSearchParams(location.hash.slice(1)).get("c");
  if (fromHash) await openChat(fromHash);
  socket.start();
}

start();
