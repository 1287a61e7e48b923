// Earlier conversations: a collapsible list (a disclosure button and a list of buttons)
// and a read-only view of one transcript. The list comes from GET /api/chat/conversations.

import { h, replace } from "../shared/dom.js";
import { messageNode } from "./messages.js";

export class Archive {
  /** o: onOpen(conversation) when one is chosen, onBack() when the reader leaves one. */
  constructor({ onOpen, onBack }) {
    Object.assign(this, { onOpen, onBack });
    this.conversations = [];
    this.toggle = h("button", { type: "button", class: "earlier-toggle", "aria-expanded": "false", "aria-controls": "hd-earlier" });
    this.list = h("ul", { id: "hd-earlier", class: "earlier-list", hidden: true });
    this.toggle.addEventListener("click", () => this.expand(this.list.hidden));
    this.section = h("nav", { class: "earlier", hidden: true }, this.toggle, this.list);
    this.title = h("h3", { id: "hd-archive-title", tabindex: "-1" });
    this.backButton = h("button", { type: "button", class: "link back", onclick: () => this.onBack() });
    this.status = h("p", { class: "archive-status", role: "status" });
    this.messages = h("ol", { class: "messages" });
    this.reader = h(
      "section",
      { class: "archive", "aria-labelledby": "hd-archive-title", hidden: true },
      h("div", { class: "archive-head" }, this.title, this.backButton),
      this.status,
      h("div", { class: "archive-log", tabindex: "0", role: "region", "aria-labelledby": "hd-archive-title" }, this.messages),
    );
  }

  applyTexts(t) {
    this.t = t;
    this.section.setAttribute("aria-label", t("earlier"));
    this.backButton.textContent = t("back");
    this.render();
  }

  /** The employee's conversations except the current one, newest first. */
  setConversations(conversations) {
    this.conversations = conversations;
    this.render();
  }

  expand(open) {
    this.list.hidden = !open;
    this.toggle.setAttribute("aria-expanded", String(open));
  }

  render() {
    if (!this.t) return;
    const t = this.t;
    this.section.hidden = this.conversations.length === 0;
    this.toggle.textContent = t("earlierCount", { count: this.conversations.length });
    replace(this.list, this.conversations.map((c) => h("li", {}, this.item(c, t))));
  }

  item(conversation, t) {
    const numbers = (conversation.tickets || []).map((ticket) => `${ticket.number} (${t.status(ticket.status)})`);
    const button = h(
      "button",
      { type: "button", class: "earlier-item", dataset: { id: conversation.conversation_id } },
      h("span", { class: "when" }, t.date(conversation.created_at)),
      " ",
      h("span", { class: "what" }, conversation.title || t("untitled")),
      numbers.length ? h("span", { class: "tickets" }, t("tickets", { numbers: numbers.join(", ") })) : null,
    );
    button.addEventListener("click", () => this.onOpen(conversation));
    return button;
  }

  /** Show one conversation read-only; render(messages) fills it once they arrived. */
  show(conversation) {
    this.reader.hidden = false;
    this.title.textContent = this.t("readOnly", { date: this.t.date(conversation.created_at) });
    this.status.textContent = this.t("loadingHistory");
    this.messages.replaceChildren();
    this.title.focus();
  }

  fill(messages, articleUrl) {
    this.status.textContent = "";
    const t = this.t;
    this.messages.replaceChildren(...messages.map((message) => messageNode(message, { t, articleUrl })));
  }

  failed() {
    this.status.textContent = this.t("historyFailed");
  }

  hide() {
    this.reader.hidden = true;
    this.messages.replaceChildren();
  }

  get reading() {
    return !this.reader.hidden;
  }
}
