// The queue and "my chats": rows are buttons (keyboard: Tab, j/k, Enter), waiting times tick.

import { h, replace } from "../shared/dom.js";
import { PRIORITY, REASONS, STATE_LABELS, duration } from "./ui.js";

export class ChatLists {
  constructor({ onOpen }) {
    this.onOpen = onOpen;
    this.queueEl = document.getElementById("queue");
    this.mineEl = document.getElementById("mine");
    this.countEl = document.getElementById("queue-count");
    this.fetchedAt = Date.now();
    this.queue = [];
    this.mine = [];
    this.unread = new Map();
    this.current = null;
    setInterval(() => this.tick(), 1000);
  }

  update(queue, mine) {
    this.queue = queue;
    this.mine = mine;
    this.fetchedAt = Date.now();
    this.render();
  }

  setCurrent(id) {
    this.current = id;
    this.unread.delete(id);
    this.render();
  }

  addUnread(id) {
    this.unread.set(id, (this.unread.get(id) || 0) + 1);
    this.render();
  }

  render() {
    const focused = document.activeElement?.dataset?.id;
    replace(this.queueEl, this.queue.map((chat) => this.queueRow(chat)));
    replace(this.mineEl, this.mine.map((chat) => this.mineRow(chat)));
    this.countEl.textContent = String(this.queue.length);
    document.getElementById("queue-empty").hidden = this.queue.length > 0;
    document.getElementById("mine-empty").hidden = this.mine.length > 0;
    if (focused) this.buttons().find((b) => b.dataset.id === focused)?.focus();
    this.tick();
  }

  row(chat, ...content) {
    return h("li", {}, this.rowButton(chat, content));
  }

  rowButton(chat, content) {
    const id = chat.conversation_id;
    const button = h(
      "button",
      { type: "button", class: "chat-item", dataset: { id }, "aria-current": id === this.current ? "true" : null },
      content,
    );
    button.addEventListener("click", () => this.onOpen(id));
    return button;
  }

  /** The same employee's other open chats, each a button that opens it. */
  related(chat) {
    const others = (chat.related || []).filter((r) => r.conversation_id !== chat.conversation_id);
    if (!others.length) return null;
    const name = chat.employee?.name || "this employee";
    return h(
      "p",
      { class: "related" },
      `Other open chats of ${name}: `,
      others.map((other) => {
        const open = h("button", { type: "button", class: "link-button", dataset: { related: other.conversation_id } }, STATE_LABELS[other.state] || other.state);
        open.addEventListener("click", () => this.onOpen(other.conversation_id));
        return open;
      }),
    );
  }

  queueRow(chat) {
    const priority = chat.priority ? h("span", { class: `prio p${chat.priority}` }, PRIORITY[chat.priority]) : null;
    const button = this.rowButton(chat, [
      h("span", { class: "line" }, h("strong", {}, chat.employee?.name || "?"), priority),
      h(
        "span",
        { class: "line muted" },
        h("span", { class: "wait", dataset: { seconds: chat.waiting_seconds ?? 0 } }),
        " · ",
        REASONS[chat.reason] || chat.reason || "",
        chat.locale ? ` · ${chat.locale.toUpperCase()}` : "",
      ),
      chat.last_message ? h("span", { class: "last" }, chat.last_message) : null,
    ]);
    return h("li", {}, button, this.related(chat));
  }

  mineRow(chat) {
    const unread = this.unread.get(chat.conversation_id);
    return this.row(
      chat,
      h(
        "span",
        { class: "line" },
        h("strong", {}, chat.employee?.name || "?"),
        unread ? h("span", { class: "badge new" }, String(unread), h("span", { class: "visually-hidden" }, " new")) : null,
      ),
      h("span", { class: "line muted" }, chat.ticket_number || "", chat.locale ? ` · ${chat.locale.toUpperCase()}` : ""),
    );
  }

  tick() {
    const elapsed = (Date.now() - this.fetchedAt) / 1000;
    for (const el of this.queueEl.querySelectorAll(".wait")) {
      el.textContent = `waiting ${duration(Number(el.dataset.seconds) + elapsed)}`;
    }
  }

  buttons() {
    return [...document.querySelectorAll(".chat-item")];
  }

  /** j/k: move the focus through both lists. */
  move(delta) {
    const buttons = this.buttons();
    if (!buttons.length) return;
    let index = buttons.indexOf(document.activeElement);
    if (index < 0) index = Math.max(buttons.findIndex((b) => b.dataset.id === this.current), delta > 0 ? -1 : 0);
    buttons[(index + delta + buttons.length) % buttons.length].focus();
  }

  focused() {
    return document.activeElement?.classList.contains("chat-item") ? document.activeElement.dataset.id : null;
  }
}
