// One ticket: fields (editable), description, transcript, activity log with internal
// notes marked, a reply to the requester (reaches their chat) and internal notes.

import { clock, h, replace } from "../shared/dom.js";
import { renderMarkdown } from "../shared/markdown.js";
import { enc, get, patch, post } from "./api.js";
import { attachmentList } from "./files.js";
import { CATEGORIES, DATE_LOCALE, LEVELS, PRIORITY, STATUSES, actorName, label, toast, when } from "./ui.js";

const number = document.querySelector("main").dataset.number;
const $ = (id) => document.getElementById(id);
const path = `/api/agent/tickets/${enc(number)}`;

function field(name, caption, values, current) {
  const options = [...new Set([...values, current])].map((v) => h("option", { value: v, selected: v === current }, label(v)));
  return [h("label", { for: `f-${name}` }, caption), h("select", { id: `f-${name}`, name }, options)];
}

function render(ticket) {
  $("ticket-heading").textContent = `${ticket.number} · ${ticket.subject}`;
  $("ticket-summary").textContent =
    `${ticket.requester || "?"} · ${PRIORITY[ticket.priority] || ""} · level ${ticket.level} · ` +
    `${label(ticket.status)} · created ${when(ticket.created_at)} · first response due ${when(ticket.sla.first_response_due)}`;
  const form = h(
    "form",
    { class: "ticket-form", id: "fields-form" },
    field("category", "Category", CATEGORIES, ticket.category),
    field("impact", "Impact", LEVELS, ticket.impact),
    field("urgency", "Urgency", LEVELS, ticket.urgency),
    field("status", "Status", STATUSES, ticket.status),
    h("label", { for: "f-resolution" }, "Resolution (when resolving)"),
    h("textarea", { id: "f-resolution", name: "resolution", rows: "2", maxlength: "4000" }, ticket.resolution || ""),
    h("button", { type: "submit", class: "primary" }, "Save"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form).entries());
    if (body.status === ticket.status) delete body.status;
    try {
      await patch(path, body);
      toast("Ticket saved.");
      await load();
    } catch (error) {
      toast(`Not saved: ${error.message}`, "error");
    }
  });
  replace(
    $("ticket-fields"),
    form,
    ticket.conversation_id ? h("p", {}, h("a", { href: `/console#c=${enc(ticket.conversation_id)}` }, "Open the chat")) : null,
  );
  $("ticket-description").textContent = ticket.description || "";
  replace($("ticket-transcript"), (ticket.transcript || []).map((m) => transcriptEntry(m, ticket.requester)));
  replace(
    $("ticket-activity"),
    ticket.activity.map((a) =>
      h(
        "li",
        { class: a.public ? "public" : "internal" },
        h("p", { class: "meta" }, h("strong", {}, actorName(a.actor, a.actor_name, ticket.requester)), ` ${label(a.kind)}`, a.public ? null : h("span", { class: "intern" }, "intern"), h("time", { datetime: a.at }, when(a.at))),
        a.text ? h("p", { class: "plain" }, a.text) : null,
      ),
    ),
  );
}

const SENDERS = { bot: "Bot", agent: "Agent", system: "System" };

/** One message of the ticket's transcript; the bot's Markdown rendered safely, people's text as typed. */
function transcriptEntry(message, requester) {
  const who = message.author || (message.sender === "user" ? requester || "Employee" : SENDERS[message.sender] || label(message.sender));
  const body = message.sender === "bot" ? h("div", { class: "body" }, renderMarkdown(message.text)) : h("p", { class: "plain" }, message.text);
  const time = h("time", { datetime: message.at }, clock(message.at, DATE_LOCALE));
  return h("li", { class: `msg ${message.sender}` }, h("p", { class: "meta" }, h("strong", {}, who), time), body);
}

/** The files that go with the ticket (screenshots from the chat, the agent's files). */
async function loadAttachments() {
  const box = $("ticket-attachments");
  try {
    const { attachments } = await get(`/api/agent/attachments?ticket=${enc(number)}`);
    replace(box, attachments.length ? attachmentList(attachments) : h("p", { class: "muted" }, "No attachments."));
  } catch (error) {
    if (error.status !== 401) replace(box, h("p", { class: "muted" }, `Attachments cannot be loaded: ${error.message}`));
  }
}

async function load() {
  loadAttachments();
  try {
    render(await get(path));
  } catch (error) {
    if (error.status === 404) $("ticket-summary").textContent = "There is no ticket with this number.";
    else if (error.status !== 401) toast(`Could not load the ticket: ${error.message}`, "error");
  }
}

function textForm(formId, boxId, suffix, done) {
  $(formId).addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = $(boxId).value.trim();
    if (!text) return;
    try {
      await post(`${path}/${suffix}`, { text });
      $(boxId).value = "";
      toast(done);
      await load();
    } catch (error) {
      toast(`Not sent: ${error.message}`, "error");
    }
  });
}

textForm("ticket-reply-form", "ticket-reply", "reply", "Reply sent to the requester.");
textForm("ticket-note-form", "ticket-note", "notes", "Internal note added.");
load();
