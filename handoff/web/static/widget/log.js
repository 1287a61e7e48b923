// The widget's message log: every message once (by seq), the employee's own messages shown
// at once and matched with the stored copy when it comes back, dividers and notices.

import { markSent, messageNode, noticeNode, pendingNode } from "./messages.js";

const normalise = (text) => String(text).replace(/\r\n?/g, "\n").trim();
const KEEP_PENDING = 20;

export class MessageLog {
  /** o: view, articleUrl(slug), onButton(button), greeting() -> text of the intro, files (attachments) */
  constructor({ view, articleUrl, onButton, greeting, files }) {
    Object.assign(this, { view, articleUrl, onButton, greeting, files });
    this.seen = new Set();
    this.lastSeq = 0;
    this.pending = [];
    this.intro = null;
  }

  /** Empty the log for a conversation (messages still on their way stay). */
  reset(t) {
    this.t = t;
    this.view.clearLog();
    this.seen.clear();
    this.lastSeq = 0;
    this.intro = null;
    this.retranslate(t);
  }

  /** The client-side greeting at the top, in the current language. */
  retranslate(t) {
    this.t = t;
    const fresh = messageNode({ sender: "bot", text: this.greeting() }, { t, articleUrl: () => "" });
    fresh.classList.add("intro");
    fresh.querySelector("time")?.remove();
    if (this.intro) this.intro.replaceWith(fresh);
    else this.view.list.prepend(fresh);
    this.intro = fresh;
  }

  /** Show a stored message unless shown already; returns whether it is new. */
  add(message) {
    if (message.seq != null) {
      if (this.seen.has(message.seq)) return false;
      this.seen.add(message.seq);
      this.lastSeq = Math.max(this.lastSeq, message.seq);
    }
    if (message.sender === "user") {
      this.disableButtons();
      const index = this.pending.findIndex((p) => p.text === normalise(message.text));
      if (index >= 0) {
        markSent(this.pending.splice(index, 1)[0].node, message.seq);
        return false;
      }
    }
    this.view.add(messageNode(message, { t: this.t, articleUrl: this.articleUrl, onButton: this.onButton, files: this.files }));
    return true;
  }

  /** The employee's message before the server has it. */
  addPending(text) {
    const entry = { text: normalise(text), node: pendingNode(text, this.t) };
    this.disableButtons();
    this.view.add(entry.node);
    this.view.scrollToEnd();
    this.pending = [...this.pending.slice(-(KEEP_PENDING - 1)), entry];
    return entry;
  }

  forget(entry) {
    this.pending = this.pending.filter((p) => p !== entry);
  }

  /** Put messages typed while the history loaded back at the end. */
  restorePending() {
    for (const entry of this.pending) this.view.list.append(entry.node);
  }

  /** A new conversation starts: seqs count from 1 again; a divider marks it. */
  newConversation() {
    this.seen.clear();
    this.lastSeq = 0;
    this.notice(this.t("newChat"), null, true);
  }

  notice(text, detail, abovePending = false) {
    const node = noticeNode(text, detail);
    const waiting = abovePending && this.pending.map((p) => p.node).find((n) => n.isConnected);
    if (waiting) this.view.list.insertBefore(node, waiting);
    else this.view.add(node);
  }

  /** Quick replies are for the newest question only; the keyboard focus stays in the widget. */
  disableButtons() {
    const focused = this.view.root.activeElement;
    for (const button of this.view.list.querySelectorAll(".buttons button")) {
      if (button === focused) this.view.focusInput();
      button.disabled = true;
    }
  }
}
