// The context beside a chat: its ticket (editable), suggested and offered articles with
// feedback, the employee's open tickets. Everything is text; links only to http(s).

import { h, replace } from "../shared/dom.js";
import { enc, patch } from "./api.js";
import { CATEGORIES, LEVELS, PRIORITY, STATUSES, label, toast } from "./ui.js";

function select(id, caption, values, current) {
  const options = [...new Set([...values, current].filter(Boolean))].map((value) =>
    h("option", { value, selected: value === current }, label(value)),
  );
  return [h("label", { for: id }, caption), h("select", { id, name: id.replace("tk-", "") }, options)];
}

function articleLink(hit) {
  const href = `/kb/${enc(hit.slug)}?lang=${enc(hit.lang || "de")}`;
  return h("a", { href, target: "_blank", rel: "noopener" }, hit.title || hit.slug);
}

export class ContextPanel {
  constructor({ onInsert, onChanged }) {
    this.onInsert = onInsert;
    this.onChanged = onChanged;
    this.el = document.getElementById("context");
  }

  render(context) {
    this.el.hidden = false;
    this.ticket(context.ticket);
    this.suggestions(context.suggestions || []);
    this.offered(context.offered_articles || [], context.feedback || []);
    this.turns(context.bot || []);
    replace(
      document.getElementById("employee-tickets"),
      (context.employee_tickets || []).length
        ? context.employee_tickets.map((t) =>
            h("li", {}, h("a", { href: `/console/tickets/${enc(t.number)}` }, t.number), ` ${t.subject} · ${label(t.status)}`),
          )
        : h("li", { class: "muted" }, "none"),
    );
  }

  ticket(ticket) {
    const box = document.getElementById("ticket-box");
    if (!ticket) return replace(box, h("p", { class: "muted" }, "No ticket yet (one opens with the handoff)."));
    const form = h(
      "form",
      { class: "ticket-form", "aria-label": `Change ticket ${ticket.number}` },
      select("tk-category", "Category", CATEGORIES, ticket.category),
      select("tk-impact", "Impact", LEVELS, ticket.impact),
      select("tk-urgency", "Urgency", LEVELS, ticket.urgency),
      select("tk-status", "Status", STATUSES, ticket.status),
      h("button", { type: "submit" }, "Save ticket"),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = Object.fromEntries(new FormData(form).entries());
      try {
        const updated = await patch(`/api/agent/tickets/${enc(ticket.number)}`, body);
        toast(`${updated.number} saved: ${PRIORITY[updated.priority]}, ${label(updated.status)}`);
        this.onChanged();
      } catch (error) {
        toast(`Ticket not saved: ${error.message}`, "error");
      }
    });
    replace(
      box,
      h("p", {}, h("a", { href: `/console/tickets/${enc(ticket.number)}` }, ticket.number), ` · ${ticket.subject}`),
      h(
        "p",
        { class: "muted", id: "ticket-facts" },
        `${PRIORITY[ticket.priority] || ""} · level ${ticket.level} · ${label(ticket.status)}`,
        ticket.assignee ? ` · ${ticket.assignee}` : "",
      ),
      form,
    );
  }

  suggestions(hits) {
    replace(
      document.getElementById("suggestions"),
      hits.length
        ? hits.map((hit) => {
            const url = `${location.origin}/kb/${enc(hit.slug)}?lang=${enc(hit.lang || "de")}`;
            const insert = h("button", { type: "button", class: "link-button" }, "insert link");
            insert.addEventListener("click", () => this.onInsert(`${hit.title}: ${url}`, { separate: true }));
            return h("li", {}, articleLink(hit), ` (${Number(hit.score).toFixed(2)}) `, insert);
          })
        : h("li", { class: "muted" }, "none"),
    );
  }

  offered(articles, feedback) {
    const verdict = new Map(feedback.filter((f) => f.slug).map((f) => [f.slug, f.helpful]));
    replace(
      document.getElementById("offered"),
      articles.length
        ? articles.map((article) => {
            const helpful = verdict.get(article.slug);
            const said = helpful === undefined ? "no feedback" : helpful ? "helped" : "did not help";
            return h("li", {}, articleLink(article), " · ", h("span", { class: `feedback ${said.replace(/ /g, "-")}` }, said));
          })
        : h("li", { class: "muted" }, "none"),
    );
  }

  turns(turns) {
    replace(
      document.getElementById("bot-turns"),
      turns.length
        ? turns.map((turn) =>
            h(
              "li",
              {},
              h("q", {}, turn.text),
              h("br"),
              turn.intent ? h("code", {}, turn.intent) : "no intent",
              turn.confidence == null ? "" : ` ${Math.round(turn.confidence * 100)} %`,
              ` · ${turn.outcome}`,
              turn.action ? h("span", { class: "muted" }, " · ", h("code", {}, turn.action)) : "",
            ),
          )
        : h("li", { class: "muted" }, "The bot had no turns in this chat."),
    );
  }
}
