// The Insights page: every chart is drawn from the same rows as the table beside it.
import { ApiError, enc, get, post } from "../console/api.js";
import { h, replace } from "../shared/dom.js";

const form = document.getElementById("period");
const status = document.getElementById("status");
const sections = document.getElementById("sections");
const COLORS = ["#1f5fa8", "#2e8540", "#b45309", "#7c3aed", "#b42318", "#0e7490"];

const pct = (part, whole) => (whole ? `${Math.round((100 * part) / whole)} %` : "–");
const num = (value) => (value === null || value === undefined ? "–" : String(value));
const secs = (value) => (value === null || value === undefined ? "–" : `${Math.round(value / 60)} min`);

function table(caption, head, rows) {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((title) => h("th", { scope: "col" }, title)))),
    h(
      "tbody",
      {},
      rows.map((row) =>
        h("tr", {}, row.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", { class: "num" }, num(cell))))),
      ),
    ),
  );
}

function chart(kind, labels, series, title) {
  const canvas = h("canvas", { role: "img", "aria-label": `${title}: chart of the table below` });
  const box = h("div", { class: "chart" }, canvas);
  if (window.Chart) {
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels,
        datasets: series.map(([name, values], i) => ({
          label: name,
          data: values,
          backgroundColor: COLORS[i % COLORS.length],
          borderColor: COLORS[i % COLORS.length],
        })),
      },
      options: { maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } },
    });
  }
  return box;
}

/** A panel: a heading, a chart of the series, and a table with the very same numbers. */
function panel(title, note, labels, series, head, rows, kind = "bar") {
  return h(
    "section",
    { class: "panel", "aria-label": title },
    h("h2", {}, title),
    note ? h("p", { class: "muted" }, note) : null,
    series ? chart(kind, labels, series, title) : null,
    table(title, head, rows),
  );
}

function countsPanel(title, groups, note) {
  const names = Object.keys(groups);
  const get = (key) => names.map((n) => groups[n][key]);
  return panel(
    title,
    note,
    names,
    [["conversations", get("conversations")], ["self-solved", get("self_solved")], ["handed to agent", get("handed_to_agent")], ["tickets", get("tickets_opened")]],
    [title.split(" ").pop(), "conversations", "self-solved", "handed to agent", "tickets", "CSAT average (n)"],
    names.map((n) => { const g = groups[n]; return [n, g.conversations, g.self_solved, g.handed_to_agent, g.tickets_opened, `${num(g.csat.average)} (${g.csat.responses})`]; }),
  );
}

async function drill(figure, label) {
  const q = `since=${enc(form.since.value)}&until=${enc(form.until.value)}&figure=${enc(figure)}`;
  const found = await get(`/api/insights/conversations?${q}`);
  const rows = found.conversations.map((c) => [c.conversation_id, c.started.slice(0, 16).replace("T", " "), c.language, c.category, c.reason, c.tickets, c.rating]);
  const box = document.getElementById("drill") || h("section", { id: "drill", class: "panel", tabindex: "-1" });
  replace(box, h("h2", {}, `Counted in "${label}": ${found.count}`),
    table(`Conversations counted in ${label}`, ["conversation", "started", "language", "category", "reason", "tickets", "rating"], rows));
  document.getElementById("headline").after(box);
  box.focus();
}

function figureCard(label, value, detail, figure) {
  const body = [h("span", { class: "value" }, num(value)), h("span", { class: "label" }, label), detail ? h("span", { class: "label" }, detail) : null];
  return figure
    ? h("button", { type: "button", class: "figure", onclick: () => drill(figure, label), title: "Show the conversations" }, body)
    : h("div", { class: "figure" }, body);
}

function headline(s) {
  const n = s.conversations;
  replace(
    document.getElementById("headline"),
    figureCard("conversations", n, null, "conversations"),
    figureCard("self-solved by the bot", s.self_solved, `${pct(s.self_solved, n)} of conversations; ${s.self_solved_pending} still within 7 days`, "self_solved"),
    figureCard("handed to a person", s.handed_to_agent, pct(s.handed_to_agent, n), "handed_to_agent"),
    figureCard("tickets opened", s.tickets_opened, null, "tickets_opened"),
    figureCard("first-contact resolution", s.first_contact_resolution, pct(s.first_contact_resolution, n), "first_contact_resolution"),
    figureCard("escalated to level 2", s.escalated_to_level_2, `${pct(s.escalated_to_level_2, s.tickets_opened)} of tickets`, "escalated_to_level_2"),
    figureCard("reopened tickets", s.reopened, `${pct(s.reopened, s.tickets_opened)} of tickets`, "reopened"),
    figureCard("CSAT average", s.csat.average, `${s.csat.responses} ratings`, "rated"),
    figureCard("wait for an agent p50 / p90", `${secs(s.wait_for_agent.p50)} / ${secs(s.wait_for_agent.p90)}`, `of ${s.wait_for_agent.of} chats`),
    figureCard("first agent reply p50 / p90", `${secs(s.first_agent_response.p50)} / ${secs(s.first_agent_response.p90)}`, `of ${s.first_agent_response.of} chats`),
  );
}

function outcomePanels(s) {
  const daily = s.by_day.length <= 31;
  const series = daily ? s.by_day : s.by_week;
  const labels = series.map((row) => row.start);
  const key = (k) => series.map((row) => row[k]);
  const reasons = Object.entries(s.handoff_reasons);
  const handlers = Object.entries(s.csat_by_handler);
  const sla = Object.entries(s.sla);
  return [
    panel(daily ? "Per day" : "Per week (from Monday)", null, labels,
      [["conversations", key("conversations")], ["self-solved", key("self_solved")], ["handed to agent", key("handed_to_agent")], ["tickets", key("tickets_opened")]],
      [daily ? "day" : "week", "conversations", "self-solved", "handed to agent", "tickets"],
      series.map((r) => [r.start, r.conversations, r.self_solved, r.handed_to_agent, r.tickets_opened]), "line"),
    countsPanel("Per language", s.by_language),
    countsPanel("Per category", s.by_category, "The category of the article the search found first."),
    panel("Handoff reasons", `Of ${s.handed_to_agent} conversations handed to a person, plus tickets from the form.`,
      reasons.map(([r]) => r), [["conversations", reasons.map(([, c]) => c)]], ["reason", "conversations"], reasons),
    panel("Satisfaction: bot vs agents", "Ratings 1–5; the average of the ratings given.", handlers.map(([k]) => k),
      [["average", handlers.map(([, v]) => v.average)]], ["handled by", "average", "ratings"], handlers.map(([k, v]) => [k, v.average, v.responses])),
    panel("SLA per priority", "Tickets of these conversations; running = not due yet.", null, null,
      ["priority", "tickets", "first response met", "missed", "running", "resolution met", "missed", "running"],
      sla.map(([p, r]) => [`P${p}`, r.tickets, r.first_response.met, r.first_response.missed, r.first_response.running, r.resolution.met, r.resolution.missed, r.resolution.running])),
  ];
}

function trendPanels(t) {
  const top = t.articles.slice(0, 5);
  return [
    panel("What employees ask about (articles)", t.unit, t.weeks, top.map((a) => [a.title, a.by_week]),
      ["article", "total", "this week", "last week", "change"],
      t.articles.map((a) => [a.title, a.total, a.this_week, a.last_week, a.change > 0 ? `+${a.change}` : a.change]), "line"),
    panel("What employees ask about (categories)", null, null, null, ["category", "total", "this week", "last week", "change"],
      t.categories.map((c) => [c.key, c.total, c.this_week, c.last_week, c.change > 0 ? `+${c.change}` : c.change])),
    panel("Articles that most often did not help", "Answers to \u201cdid this help?\u201d in the period.", t.not_helpful.map((a) => a.title),
      [["didn't help", t.not_helpful.map((a) => a.not_helpful)], ["helped", t.not_helpful.map((a) => a.helpful)]],
      ["article", "didn't help", "helped", "share didn't help"], t.not_helpful.map((a) => [a.title, a.not_helpful, a.helpful, pct(a.not_helpful, a.not_helpful + a.helpful)])),
  ];
}

let openProblems = [];

async function linkTickets(problemId, tickets) {
  for (const number of tickets) await post(`/api/problems/${enc(problemId)}/tickets`, { number });
}

/** Declare a known problem from a spike: its articles, and its open tickets linked at once. */
function declareForm(spike, index, done) {
  const id = (name) => `spike-${index}-${name}`;
  const field = (name, label, value = "") => [
    h("label", { for: id(name) }, label),
    h(name === "title" ? "input" : "textarea", { id: id(name), name, required: true, maxlength: name === "title" ? 200 : 1000, value }),
  ];
  const errors = h("p", { class: "form-errors", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "declare", "aria-label": `Declare a known problem: ${spike.label}` },
    field("title", "Title", spike.label),
    field("de", "Notice for employees (German)"),
    field("en", "Notice for employees (English)"),
    h("p", { class: "muted" }, `Articles: ${spike.articles.join(", ")}. ${spike.tickets.length} open tickets of these conversations are linked to it.`),
    errors,
    h("button", { type: "submit", class: "primary" }, "Declare known problem"),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.hidden = true;
    const value = (name) => form.elements[name].value.trim();
    try {
      const created = await post("/api/problems", { title: value("title"), notice: { de: value("de"), en: value("en") }, articles: spike.articles });
      await linkTickets(created.id, spike.tickets);
      done(`Known problem declared; ${spike.tickets.length} tickets linked.`);
    } catch (error) {
      errors.textContent = `Not declared: ${error.message}`;
      errors.hidden = false;
    }
  });
  return h("details", {}, h("summary", {}, "Declare a known problem from this"), form);
}

/** Link the spike's open tickets to a known problem that is open already. */
function linkForm(spike, index, done) {
  if (!spike.tickets.length || !openProblems.length) return null;
  const select = h("select", { id: `spike-${index}-problem` }, openProblems.map((p) => h("option", { value: String(p.id) }, p.title)));
  const button = h("button", { type: "button" }, `Link ${spike.tickets.length} tickets`);
  button.addEventListener("click", async () => {
    try {
      await linkTickets(select.value, spike.tickets);
      done(`${spike.tickets.length} tickets linked to "${select.selectedOptions[0].textContent}".`);
    } catch (error) {
      done(`Not linked: ${error.message}`);
    }
  });
  return h("p", { class: "row" }, h("label", { for: select.id }, "Known problem"), " ", select, " ", button);
}

function spikeItem(spike, index) {
  const said = h("p", { class: "muted", role: "status" });
  const done = async (message) => {
    said.textContent = message;
    await loadProblems();
  };
  return h(
    "li",
    { class: "spike" },
    h("strong", {}, spike.message),
    ` (usually ${spike.usual_per_hour} per hour)`,
    h(
      "details",
      {},
      h("summary", {}, `The ${spike.conversations.length} conversations`),
      h("ul", { class: "links" }, spike.conversations.map((id) =>
        h("li", {}, h("a", { href: `/console#c=${enc(id)}`, title: id }, `chat ${id.slice(0, 8)}`)))),
    ),
    h("p", {}, `Open tickets: ${spike.tickets.length ? spike.tickets.join(", ") : "none"}`),
    linkForm(spike, index, done),
    declareForm(spike, index, done),
    said,
  );
}

async function loadProblems() {
  openProblems = await get("/api/problems?state=open");
}

function spikeCard(result) {
  const card = document.getElementById("spikes");
  card.classList.toggle("quiet", result.spikes.length === 0);
  replace(document.getElementById("spike-list"), result.spikes.length === 0
    ? h("p", {}, "Nothing unusual in the last hour.")
    : h("ul", {}, result.spikes.map(spikeItem)));
}

async function load() {
  const q = `since=${enc(form.since.value)}&until=${enc(form.until.value)}`;
  document.getElementById("csv").href = `/api/insights/conversations.csv?${q}`;
  status.textContent = "Loading…";
  try {
    const [summary, trends, spikes] = await Promise.all([get(`/api/insights/summary?${q}`), get(`/api/insights/trends?${q}`), get("/api/insights/spikes"), loadProblems()]);
    headline(summary);
    replace(sections, outcomePanels(summary), trendPanels(trends));
    spikeCard(spikes);
    status.textContent = `${summary.conversations} conversations from ${summary.since} to ${summary.until}.`;
  } catch (error) {
    status.textContent = error instanceof ApiError ? `Could not load: ${error.message}` : String(error);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  history.replaceState(null, "", `?since=${enc(form.since.value)}&until=${enc(form.until.value)}`);
  load();
});
const params = new URLSearchParams(location.search);
if (params.get("since")) form.since.value = params.get("since");
if (params.get("until")) form.until.value = params.get("until");
load();
