// The tickets list: filters in the URL (status, level, mine), rows link to the detail page.

import { h, replace } from "../shared/dom.js";
import { enc, get } from "./api.js";
import { PRIORITY, label, toast, when } from "./ui.js";

const params = new URLSearchParams(location.search);
const form = document.getElementById("ticket-filters");
const status = params.has("status") ? params.get("status") : "open";
form.status.value = status;
form.level.value = params.get("level") || "";
form.mine.checked = params.get("mine") === "1";

async function load() {
  const query = new URLSearchParams();
  if (status) query.set("status", status);
  if (form.level.value) query.set("level", form.level.value);
  if (form.mine.checked) query.set("mine", "1");
  let data;
  try {
    data = await get(`/api/agent/tickets?${query}`);
  } catch (error) {
    if (error.status !== 401) toast(`Could not load tickets: ${error.message}`, "error");
    return;
  }
  replace(
    document.getElementById("ticket-rows"),
    data.tickets.map((t) =>
      h(
        "tr",
        {},
        h("td", {}, h("a", { href: `/console/tickets/${enc(t.number)}` }, t.number)),
        h("td", {}, t.subject),
        h("td", {}, t.requester || ""),
        h("td", {}, h("span", { class: `status ${t.status}` }, label(t.status))),
        h("td", {}, h("span", { class: `prio p${t.priority}` }, PRIORITY[t.priority] || t.priority)),
        h("td", {}, String(t.level)),
        h("td", {}, t.assignee || "—"),
        h("td", {}, when(t.updated_at)),
      ),
    ),
  );
  document.getElementById("tickets-empty").hidden = data.tickets.length > 0;
}

load();
