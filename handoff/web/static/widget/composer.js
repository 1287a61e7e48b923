// The composer: the message box, the send button, and the length limit. A text over the
// limit (typed or pasted) is kept as it is, with a counter and a clear message, and cannot
// be sent until it is shorter: nothing is ever cut off silently.

import { h } from "../shared/dom.js";
import { AttachPicker, filesOf } from "./attach.js";

export const MAX_CHARS = 4000; // the service's HELPDESK_MAX_MESSAGE_CHARS default
const COUNT_FROM = 0.9; // the counter shows from 90 % of the limit on

export class Composer {
  constructor({ onSend, onTyping, onUpload, max = MAX_CHARS }) {
    Object.assign(this, { onSend, onTyping, onUpload, max });
    this.attach = new AttachPicker();
    this.label = h("label", { for: "hd-input", class: "sr-only" });
    this.input = h("textarea", { id: "hd-input", rows: "1", "aria-describedby": "hd-hint hd-limit" });
    this.hint = h("p", { id: "hd-hint", class: "sr-only" });
    this.counter = h("p", { class: "counter", hidden: true, "aria-hidden": "true" });
    this.limit = h("p", { id: "hd-limit", class: "limit", role: "alert", hidden: true });
    this.sendButton = h("button", { type: "submit", class: "send" });
    this.form = h(
      "form",
      { class: "composer" },
      this.attach.section,
      h("div", { class: "row" }, this.attach.button, this.attach.input, this.label, this.input, this.hint, this.sendButton),
      this.counter,
      this.limit,
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    this.input.addEventListener("paste", (event) => {
      const files = filesOf(event.clipboardData);
      if (!files.length) return;
      this.attach.add(files);
      if (!event.clipboardData.getData("text/plain")) event.preventDefault();
    });
    this.input.addEventListener("input", () => {
      this.grow();
      this.check();
      if (this.input.value.trim()) this.onTyping();
    });
  }

  applyTexts(t) {
    this.t = t;
    this.label.textContent = t("input");
    this.input.placeholder = t("placeholder");
    this.hint.textContent = t("hint");
    this.sendButton.textContent = t("send");
    this.attach.applyTexts(t);
    this.check();
  }

  get tooLong() {
    return this.input.value.trim().length > this.max;
  }

  /** Show the counter near the limit, and the message and a disabled send over it. */
  check() {
    if (!this.t) return;
    const count = this.input.value.trim().length;
    const over = count - this.max;
    this.counter.hidden = count < this.max * COUNT_FROM;
    this.counter.textContent = this.t("counter", { count: count.toLocaleString(this.t.dateLocale), max: this.max.toLocaleString(this.t.dateLocale) });
    this.counter.classList.toggle("over", over > 0);
    const message = over > 0 ? this.t("tooLong", { over: over.toLocaleString(this.t.dateLocale), max: this.max.toLocaleString(this.t.dateLocale) }) : "";
    if (this.limit.textContent !== message) this.limit.textContent = message;
    this.limit.hidden = !message;
    this.input.setAttribute("aria-invalid", String(over > 0));
    this.sendButton.disabled = over > 0;
  }

  /** Send the text first, then the waiting files: in the bot's ticket form the words answer
   *  "what is wrong?" and a screenshot joins them (sent alone, the screenshot answers it). */
  async submit() {
    const text = this.input.value.trim();
    const files = this.attach.files.length > 0;
    if ((!text && !files) || this.tooLong || this.busy) return;
    if (text) {
      this.input.value = "";
      this.grow();
      this.check();
    }
    if (!files) return this.onSend(text);
    this.busy = true;
    try {
      // The words go with the files: the service takes them as said about the files.
      if (text) await this.onSend(text, this.attach.files.length);
      await this.attach.upload(this.onUpload);
    } finally {
      this.busy = false;
    }
  }

  grow() {
    const lines = this.input.value.split("\n").length;
    this.input.rows = Math.min(Math.max(lines, 1), 5);
  }
}
