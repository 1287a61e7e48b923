// Asking once for a rating (1-5, optional comment) when a conversation ends: the agent
// closed it, or the bot's answer helped and the employee closes the widget. A native radio
// group in a fieldset: arrow keys choose, screen readers announce "3 – teils, teils".

import { h } from "../shared/dom.js";

const SCORES = [1, 2, 3, 4, 5];
export const HELPED = "/feedback_positive"; // the "yes, that helped" quick reply

export class RatingPrompt {
  /** o: view, client (rate, load, save), t() -> the current translator */
  constructor({ view, client, t }) {
    Object.assign(this, { view, client, t });
    this.section = h("section", { class: "rating", hidden: true });
    this.conversationId = null;
    this.helped = null; // the conversation whose answer helped
  }

  asked(id) {
    return (this.client.load().asked || []).includes(id);
  }

  /** The employee said the bot's answer helped (the quick reply). */
  noteHelped(button, conversationId) {
    if (button && button.payload === HELPED) this.helped = conversationId;
  }

  /** The agent closed the chat: ask now. */
  onClosed(conversationId) {
    this.ask(conversationId);
  }

  /** Closing the widget after a helpful answer asks first; true while the question shows. */
  beforeClose(conversationId) {
    if (!this.section.hidden) {
      this.clear(); // unanswered counts as "no, thanks": a second close closes
      return false;
    }
    if (!this.helped || this.helped !== conversationId) return false;
    return this.ask(conversationId);
  }

  /** Show the question once per conversation; false when it was asked before. */
  ask(conversationId) {
    if (!conversationId || this.asked(conversationId)) return false;
    this.client.save({ asked: [...(this.client.load().asked || []), conversationId].slice(-50) });
    this.conversationId = conversationId;
    this.helped = null;
    this.render();
    this.section.hidden = false;
    this.view.scrollToEnd();
    this.section.querySelector("input")?.focus();
    return true;
  }

  render() {
    const t = this.t();
    const choices = SCORES.map((score) =>
      h(
        "label",
        { class: "score" },
        h("input", { type: "radio", name: "hd-score", value: String(score) }),
        h("span", { class: "number" }, String(score)),
        " ",
        h("span", { class: score === 1 || score === 5 ? "word" : "word sr-only" }, t(`score${score}`)),
      ),
    );
    const form = h(
      "form",
      {},
      h("fieldset", {}, h("legend", {}, t("rateQuestion")), h("div", { class: "scores" }, choices)),
      h("label", { for: "hd-rate-comment" }, t("rateComment")),
      h("textarea", { id: "hd-rate-comment", rows: "2", maxlength: "2000" }),
      h("p", { class: "limit", role: "alert", hidden: true }),
      h("div", { class: "actions" }, h("button", { type: "submit", class: "send" }, t("rateSend")), h("button", { type: "button", class: "link skip", onclick: () => this.hide() }, t("rateSkip"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(form);
    });
    this.section.lang = t.locale;
    this.section.replaceChildren(form);
  }

  /** The question follows a language switch (what was chosen stays chosen). */
  retranslate() {
    const form = this.section.querySelector("form");
    if (!form) return;
    const chosen = form.querySelector("input[name=hd-score]:checked")?.value;
    const comment = form.querySelector("textarea").value;
    this.render();
    if (chosen) this.section.querySelector(`input[value="${chosen}"]`).checked = true;
    this.section.querySelector("textarea").value = comment;
  }

  async submit(form) {
    const t = this.t();
    const chosen = form.querySelector("input[name=hd-score]:checked");
    const problem = form.querySelector(".limit");
    if (!chosen) {
      problem.hidden = false;
      problem.textContent = t("ratePick");
      form.querySelector("input").focus();
      return;
    }
    const comment = form.querySelector("textarea").value.trim();
    try {
      await this.client.rate(this.conversationId, Number(chosen.value), comment);
    } catch {
      problem.hidden = false;
      problem.textContent = t("rateFailed");
      return;
    }
    const thanks = h("p", { class: "thanks", role: "status", tabindex: "-1" }, t("rateThanks"));
    this.section.replaceChildren(thanks);
    thanks.focus();
  }

  clear() {
    this.section.hidden = true;
    this.section.replaceChildren();
    this.conversationId = null;
  }

  hide() {
    this.clear();
    this.view.focusInput();
  }

  /** A new conversation (the employee wrote after closing): the question goes away. */
  forget() {
    if (!this.section.hidden) this.hide();
  }
}
