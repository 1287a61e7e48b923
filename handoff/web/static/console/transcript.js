// The transcript in the console: every message once (by seq), internal notes marked
// "intern", and under each employee message what the bot understood of it.

import { clock, externalLink, h } from "../shared/dom.js";
import { renderMarkdown } from "../shared/markdown.js";
import { attachmentList } from "./files.js";

function who(message, employee) {
  if (message.sender === "user") return employee || "Employee";
  if (message.sender === "bot") return "Bot";
  if (message.sender === "agent") return message.author || "Agent";
  return "System";
}

function understood(turn) {
  if (!turn) return null;
  const parts = [];
  if (turn.intent) {
    const confidence = turn.confidence == null ? "" : ` ${Math.round(turn.confidence * 100)} %`;
    parts.push(h("span", {}, "intent ", h("code", {}, turn.intent), confidence));
  }
  if (turn.kb_hits && turn.kb_hits.length) {
    const hits = turn.kb_hits.slice(0, 3).map((hit) => `${hit.slug} (${Number(hit.score).toFixed(2)})`);
    parts.push(h("span", {}, `KB${turn.kb_confident ? " ✓" : ""}: ${hits.join(", ")}`));
  }
  parts.push(h("span", {}, `outcome: ${turn.outcome}`));
  const line = h("p", { class: "nlu" }, h("span", { class: "visually-hidden" }, "What the bot understood: "));
  parts.forEach((part, i) => line.append(i ? " · " : "", part));
  return line;
}

export class Transcript {
  constructor(list) {
    this.list = list;
    this.scroller = list.closest(".transcript-log") || list; // the focusable, scrolling log
    this.seen = new Set();
    this.lastSeq = 0;
    this.turns = new Map();
    this.employee = "";
    this.files = []; // every attachment of the chat, in order (they go with its ticket)
  }

  reset({ messages, bot, employee }) {
    this.list.setAttribute("aria-busy", "true");
    this.list.replaceChildren();
    this.seen.clear();
    this.lastSeq = 0;
    this.files = [];
    this.employee = employee;
    this.turns = new Map((bot || []).map((turn) => [turn.seq, turn]));
    for (const message of messages) this.add(message);
    this.list.setAttribute("aria-busy", "false");
    this.scrollToEnd();
  }

  /** Add a message unless it is here already; returns whether it was new. */
  add(message) {
    if (this.seen.has(message.seq)) return false;
    this.seen.add(message.seq);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.files.push(...(message.attachments || []));
    const nearEnd = this.scroller.scrollHeight - this.scroller.scrollTop - this.scroller.clientHeight < 120;
    const node = this.node(message);
    const after = [...this.list.children].find((li) => Number(li.dataset.seq) > message.seq);
    this.list.insertBefore(node, after || null);
    if (nearEnd) this.scrollToEnd();
    return true;
  }

  /** Newer knowledge of the bot turns (after a context refresh). */
  updateTurns(bot) {
    for (const turn of bot || []) {
      this.turns.set(turn.seq, turn);
      const li = this.list.querySelector(`li.user[data-seq="${Number(turn.seq)}"]`);
      if (!li) continue;
      const old = li.querySelector(".nlu");
      if (old) old.replaceWith(understood(turn));
      else li.append(understood(turn));
    }
  }

  node(message) {
    const classes = ["msg", message.sender, message.internal ? "internal" : ""].join(" ");
    const head = h(
      "p",
      { class: "meta" },
      h("strong", {}, who(message, this.employee)),
      message.internal ? h("span", { class: "intern", title: "Internal note: never shown to the employee" }, "intern") : null,
      message.ticket ? h("span", { class: "tag" }, `ticket ${message.ticket.number}`) : null,
      h("time", { datetime: message.created_at }, clock(message.created_at)),
    );
    const body = h("div", { class: "body" });
    if (message.kb_article) {
      body.append(
        h("p", { class: "article" }, "Article: ", externalLink(`${location.origin}/kb/${encodeURIComponent(message.kb_article.slug)}`, message.kb_article.title)),
      );
    }
    if (message.attachments && message.attachments.length) body.append(attachmentList(message.attachments));
    else if (message.sender === "bot") body.append(renderMarkdown(message.text));
    else body.append(h("p", { class: "plain" }, message.text));
    if (message.buttons && message.buttons.length) {
      body.append(h("p", { class: "chips", "aria-label": "Buttons offered" }, message.buttons.map((b) => h("span", { class: "chip" }, b.title))));
    }
    const item = h("li", { class: classes, dataset: { seq: message.seq } }, head, body);
    if (message.sender === "user") {
      const turn = understood(this.turns.get(message.seq));
      if (turn) item.append(turn);
    }
    return item;
  }

  scrollToEnd() {
    this.scroller.scrollTop = this.scroller.scrollHeight;
  }
}
