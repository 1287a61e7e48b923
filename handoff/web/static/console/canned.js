// Admins edit the canned responses (title, German and English text).

import { h, replace } from "../shared/dom.js";
import { del, get, post, put } from "./api.js";
import { toast } from "./ui.js";

const list = document.getElementById("canned-list");

function values(form) {
  return { title: form.title.value.trim(), text_de: form.text_de.value, text_en: form.text_en.value };
}

function editor(item) {
  const id = `c${item.id}`;
  const form = h(
    "form",
    { class: "canned-form stacked", "aria-label": `Canned response ${item.title}` },
    h("label", { for: `${id}-title` }, "Title"),
    h("input", { id: `${id}-title`, name: "title", value: item.title, maxlength: "120", required: true }),
    h("label", { for: `${id}-de` }, "German text"),
    h("textarea", { id: `${id}-de`, name: "text_de", rows: "3", maxlength: "4000" }, item.text_de),
    h("label", { for: `${id}-en` }, "English text"),
    h("textarea", { id: `${id}-en`, name: "text_en", rows: "3", maxlength: "4000" }, item.text_en),
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, "Save"), h("button", { type: "button", class: "danger" }, "Delete")),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await put(`/api/agent/canned/${item.id}`, values(form));
      toast("Saved.");
    } catch (error) {
      toast(`Not saved: ${error.message}`, "error");
    }
  });
  form.querySelector(".danger").addEventListener("click", async () => {
    if (!confirm(`Delete "${item.title}"?`)) return;
    try {
      await del(`/api/agent/canned/${item.id}`);
      await load();
    } catch (error) {
      toast(`Not deleted: ${error.message}`, "error");
    }
  });
  return form;
}

async function load() {
  try {
    replace(list, (await get("/api/agent/canned")).canned.map(editor));
  } catch (error) {
    if (error.status !== 401) toast(`Could not load: ${error.message}`, "error");
  }
}

const create = document.getElementById("canned-new");
create.addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    await post("/api/agent/canned", values(create));
    create.reset();
    toast("Added.");
    await load();
  } catch (error) {
    toast(`Not added: ${error.message}`, "error");
  }
});

load();
