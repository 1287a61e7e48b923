// The open chat: header, transcript, composer (Enter sends, Shift+Enter new line,
// Ctrl+Enter internal note), canned responses and the action buttons with their dialogs.

import { h, replace } from "../shared/dom.js";
import { REASONS, STATE_LABELS, label, toast } from "./ui.js";
import { Transcript } from "./transcript.js";

const $ = (id) => document.getElementById(id);

export class ChatPanel {
  /** actions: claim, reply(text), note(text), escalate(summary, level), release, handback,
   *  close(resolution), typing(), attach(file) — each returns a promise; true when it worked. */
  constructor(actions) {
    this.actions = actions;
    this.transcript = new Transcript($("transcript"));
    this.reply = $("reply");
    this.canned = [];
    this.locale = "de";
    this.buttons = {
      claim: $("act-claim"),
      escalate: $("act-escalate"),
      release: $("act-release"),
      handback: $("act-handback"),
      close: $("act-close"),
    };
    this.buttons.claim.addEventListener("click", () => actions.claim());
    this.buttons.release.addEventListener("click", () => actions.release());
    this.buttons.handback.addEventListener("click", () => actions.handback());
    this.buttons.escalate.addEventListener("click", () => this.openEscalate());
    this.buttons.close.addEventListener("click", () => this.openClose());
    $("composer").addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit(false);
    });
    $("send-note").addEventListener("click", () => this.submit(true));
    $("attach-file").addEventListener("click", () => $("attach-input").click());
    $("attach-input").addEventListener("change", async (event) => {
      const [file] = event.target.files;
      event.target.value = "";
      if (file) await actions.attach(file);
      $("attach-file").focus();
    });
    this.reply.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit(event.ctrlKey || event.metaKey);
      } else if (event.key === "Escape") {
        this.reply.blur();
      }
    });
    this.reply.addEventListener("input", () => actions.typing());
    $("canned").addEventListener("change", (event) => this.useCanned(event.target));
    this.dialog("escalate-dialog", () => actions.escalate($("escalate-summary").value.trim(), Number($("escalate-level").value)));
    this.dialog("close-dialog", () => actions.close($("close-resolution").value.trim(), this.chosenTickets()));
  }

  dialog(id, run) {
    const dialog = $(id);
    dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
    dialog.querySelector("form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.target;
      if (!form.reportValidity()) return;
      if (await run()) {
        form.reset();
        dialog.close();
      }
    });
  }

  openDialog(id, focus) {
    const dialog = $(id);
    if (!dialog.open) dialog.showModal();
    $(focus).focus();
  }

  openEscalate() {
    if (this.buttons.escalate.disabled) return;
    const summary = $("escalate-summary");
    if (!summary.value) summary.value = this.subject || "";
    const files = this.transcript.files.map((file) => file.name);
    const note = $("escalate-files");
    note.hidden = !files.length;
    note.textContent = files.length ? `Files that go with the ticket (${files.length}): ${files.join(", ")}` : "";
    this.openDialog("escalate-dialog", "escalate-summary");
  }

  /** The close dialog lists the chat's tickets; the one the handoff was about is checked. */
  openClose() {
    const box = $("close-tickets");
    const items = (this.tickets || []).map((ticket) => {
      const id = `close-ticket-${ticket.number}`;
      return h(
        "li",
        {},
        h("input", { type: "checkbox", id, value: ticket.number, checked: Boolean(ticket.handoff) }),
        h("label", { for: id }, `${ticket.number} · ${ticket.subject} (${label(ticket.status)})`, ticket.handoff ? " · handoff" : ""),
      );
    });
    replace(box, items.length ? items : h("li", { class: "muted" }, "This chat has no ticket."));
    this.openDialog("close-dialog", "close-resolution");
  }

  chosenTickets() {
    return [...$("close-tickets").querySelectorAll("input:checked")].map((input) => input.value);
  }

  setCanned(canned) {
    this.canned = canned;
    const select = $("canned");
    select.replaceChildren(h("option", { value: "" }, "Insert canned response…"));
    canned.forEach((c, i) => select.append(h("option", { value: String(i) }, c.title)));
  }

  useCanned(select) {
    const chosen = this.canned[Number(select.value)];
    select.value = "";
    if (!chosen) return;
    const text = (this.locale === "en" ? chosen.text_en || chosen.text_de : chosen.text_de || chosen.text_en) || "";
    this.insert(text);
  }

  /** Put text into the reply box at the cursor; separate: a space on each side where words touch. */
  insert(text, { separate = false } = {}) {
    const box = this.reply;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? box.value.length;
    const before = box.value.slice(0, start);
    const after = box.value.slice(end);
    let piece = text;
    if (separate && before && !/\s$/.test(before)) piece = ` ${piece}`;
    if (separate && after && !/^\s/.test(after)) piece = `${piece} `;
    box.value = before + piece + after;
    box.focus();
    box.selectionStart = box.selectionEnd = start + piece.length;
  }

  async submit(internal) {
    const text = this.reply.value.trim();
    if (!text) return;
    if (!internal && this.reply.dataset.canReply !== "yes") {
      toast("Only the agent who has the chat can reply: claim it first (c), or save a note (Ctrl+Enter).");
      return;
    }
    const ok = await (internal ? this.actions.note(text) : this.actions.reply(text));
    if (ok) this.reply.value = "";
  }

  /** Show a chat from its full context; mine: whether the caller owns it. */
  show(context, mine) {
    $("chat-placeholder").hidden = true;
    $("chat-view").hidden = false;
    const chat = context.conversation;
    this.locale = chat.locale;
    this.setContext(context);
    this.transcript.reset({ messages: context.messages, bot: context.bot, employee: chat.employee.name });
    this.update(chat, mine);
  }

  /** What the dialogs start from: the problem's summary and the conversation's tickets. */
  setContext(context) {
    this.subject = context.summary || (context.ticket ? context.ticket.subject : "");
    this.tickets = context.tickets || (context.ticket ? [{ ...context.ticket, handoff: true }] : []);
  }

  update(chat, mine) {
    this.chat = chat;
    $("chat-title").textContent = `${chat.employee.name} <${chat.employee.email}>`;
    const facts = [
      `${STATE_LABELS[chat.state] || label(chat.state)}${chat.agent ? ` (${chat.agent})` : ""}`,
      chat.ticket_number,
      chat.reason ? REASONS[chat.reason] || chat.reason : null,
      `language: ${chat.locale.toUpperCase()}`,
    ];
    $("chat-meta").textContent = facts.filter(Boolean).join(" · ");
    const live = chat.state === "agent" && mine;
    this.buttons.claim.disabled = chat.state !== "queued";
    for (const name of ["escalate", "release", "handback", "close"]) this.buttons[name].disabled = !live;
    this.reply.dataset.canReply = live ? "yes" : "no";
    $("send-reply").disabled = !live;
    $("attach-file").disabled = !live;
    $("send-note").disabled = chat.state === "closed";
    $("reply").placeholder = live
      ? `Reply to ${chat.employee.name} (${chat.locale.toUpperCase()})`
      : chat.state === "queued"
        ? "Claim the chat to reply (c); an internal note is possible now"
        : "Only the agent who has the chat can reply";
  }

  hide() {
    $("chat-placeholder").hidden = false;
    $("chat-view").hidden = true;
    document.getElementById("context").hidden = true;
    this.chat = null;
  }

  typing(on) {
    clearTimeout(this.typingTimer);
    $("typing").textContent = on && this.chat ? `${this.chat.employee.name} is typing …` : "";
    if (on) this.typingTimer = setTimeout(() => this.typing(false), 6000);
  }
}
