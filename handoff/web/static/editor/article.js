// The article editor: both languages side by side with a live preview of the bot's
// answer, save (a new version), publish, delete, and the version history with diff and
// restore. The form arrives filled by the server; from then on the API's answers refill it.

import { h, replace } from "../shared/dom.js";
import { toast } from "../console/ui.js";
import { del, enc, post, put } from "./api.js";
import { badge, timeNode } from "./format.js";
import { formatWarnings, renderPreview } from "./preview.js";
import { History } from "./history.js";

const LANGS = ["de", "en"];
const NAMES = { de: "German", en: "English" };
const main = document.getElementById("main");
const form = document.getElementById("article-form");
const notice = document.getElementById("notice");
const errorBox = document.getElementById("form-errors");
const field = (id) => document.getElementById(id);
const publicUrl = main.dataset.publicUrl;
const slug = main.dataset.slug; // "" until the article exists
let version = Number(main.dataset.version || 0);
let saved = "";
let busy = false;
const versions = slug ? new History({ slug, onRestored: restored, isDirty: () => dirty() }) : null;

function lines(text) {
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
}

/** The article as the API takes it; a language left entirely empty is left out. */
function content() {
  const translations = {};
  for (const lang of LANGS) {
    const title = field(`${lang}-title`).value;
    const body = field(`${lang}-body`).value;
    const questions = lines(field(`${lang}-questions`).value);
    if (title.trim() || body.trim() || questions.length) translations[lang] = { title, body, questions };
  }
  const tags = field("tags")
    .value.split(",")
    .map((tag) => tag.trim())
    .filter(Boolean);
  return { category: field("category").value, tags, translations };
}

const snapshot = () => JSON.stringify([field("slug").value, content()]);
const dirty = () => snapshot() !== saved;

function markClean() {
  saved = snapshot();
  field("dirty").textContent = "";
}

function onEdit() {
  field("dirty").textContent = dirty() ? "Unsaved changes" : "";
  schedulePreview();
}

let previewFrame = 0;
function schedulePreview() {
  cancelAnimationFrame(previewFrame);
  previewFrame = requestAnimationFrame(preview);
}

function preview() {
  const current = slug || field("slug").value.trim() || "new-article";
  const translations = content().translations;
  for (const lang of LANGS) {
    const list = field(`${lang}-preview`);
    const text = translations[lang];
    const warnings = text ? formatWarnings(lang, text.body) : [];
    replace(field(`${lang}-warnings`), warnings.map((warning) => h("li", {}, warning)));
    if (!text) {
      const other = LANGS.find((code) => code !== lang && translations[code]);
      const note = other
        ? `No ${NAMES[lang]} text: the bot answers ${NAMES[lang]} questions with the ${NAMES[other]} one.`
        : "Nothing to preview yet.";
      replace(list, h("li", { class: "msg notice" }, h("p", {}, note)));
      continue;
    }
    renderPreview(list, { slug: current, lang, title: text.title, body: text.body, publicUrl });
  }
}

/** Refill the form and the header from the API's view of the article. */
function fill(article) {
  field("category").value = article.category;
  field("tags").value = (article.tags || []).join(", ");
  for (const lang of LANGS) {
    const text = article.translations[lang] || { title: "", body: "", questions: [] };
    field(`${lang}-title`).value = text.title;
    field(`${lang}-body`).value = text.body;
    field(`${lang}-questions`).value = (text.questions || []).join("\n");
  }
  const titles = LANGS.map((lang) => article.translations[lang]?.title).filter(Boolean);
  field("article-heading").textContent = titles[0] || article.slug;
  document.title = `${titles[0] || article.slug} · IT Service Desk knowledge editor`;
  replace(
    field("article-state"),
    badge(article.status),
    article.unpublished_changes && article.status === "published" ? [" ", badge("changes", "unpublished changes")] : null,
    " ",
    h(
      "span",
      {},
      `version ${article.version}`,
      article.published_version ? ` · published: version ${article.published_version}` : "",
      ` · last edit by ${article.author}, `,
      timeNode(article.updated_at),
    ),
  );
  version = article.version;
  markClean();
  preview();
}

function clearErrors() {
  errorBox.hidden = true;
  errorBox.replaceChildren();
  for (const node of form.querySelectorAll(".field-error")) {
    node.hidden = true;
    node.textContent = "";
  }
  for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
}

/** Which input a problem from the API is about: ["translations", "de", "title"] -> de-title. */
function fieldFor(location, status) {
  if (status === 409) return "slug";
  if (!location || !location.length) return null;
  if (location[0] === "translations" && LANGS.includes(location[1]) && location[2]) {
    return `${location[1]}-${location[2]}`;
  }
  return ["slug", "category", "tags"].includes(location[0]) ? location[0] : null;
}

function showErrors(error, what) {
  clearErrors();
  const summary = [];
  for (const { field: location, message } of error.problems) {
    const id = fieldFor(location, error.status);
    const slot = id && field(`${id}-error`);
    const label = id ? form.querySelector(`label[for="${id}"]`)?.textContent : null;
    if (slot) {
      slot.textContent = message;
      slot.hidden = false;
      field(id).setAttribute("aria-invalid", "true");
    }
    summary.push(label ? `${label}: ${message}` : message);
  }
  replace(errorBox, h("p", {}, h("strong", {}, `${what}:`)), h("ul", {}, summary.map((line) => h("li", {}, line))));
  errorBox.hidden = false;
  errorBox.focus();
}

function setBusy(value) {
  busy = value;
  for (const button of document.querySelectorAll(".form-actions button")) button.disabled = value;
}

function say(...parts) {
  replace(notice, parts);
  notice.hidden = false;
}

/** Save the form: create the draft, or store a new version. Returns the article or null. */
async function save() {
  if (busy) return null;
  clearErrors();
  setBusy(true);
  try {
    if (!slug) {
      const created = await post("/api/kb/articles", { slug: field("slug").value.trim(), ...content() });
      saved = snapshot(); // leave without the "unsaved changes" question
      location.assign(`/editor/articles/${enc(created.slug)}?created=1`);
      return created;
    }
    const before = version;
    const article = await put(`/api/kb/articles/${enc(slug)}`, { ...content(), note: field("note").value.trim() });
    field("note").value = "";
    fill(article);
    await versions.load();
    toast(article.version === before ? "Nothing changed: no new version." : `Saved as version ${article.version}.`);
    return article;
  } catch (error) {
    showErrors(error, slug ? "Not saved" : "The draft was not created");
    return null;
  } finally {
    setBusy(false);
  }
}

async function publish() {
  if (dirty() && !(await save())) return;
  setBusy(true);
  try {
    const article = await post(`/api/kb/articles/${enc(slug)}/publish`, {});
    fill(article);
    await versions.load();
    say(
      `Version ${article.published_version} is published. The bot finds it after the next `,
      h("a", { href: "/editor/index" }, "index rebuild"),
      ".",
    );
  } catch (error) {
    showErrors(error, "Not published");
  } finally {
    setBusy(false);
  }
}

function restored(article, number) {
  fill(article);
  say(`Version ${number} was restored as version ${article.version}, a draft until you publish it.`);
}

function confirmDelete() {
  const dialog = field("delete-dialog");
  dialog.returnValue = "";
  dialog.showModal();
}

field("delete-dialog").querySelector(".cancel").addEventListener("click", () => field("delete-dialog").close());
field("delete-dialog").addEventListener("close", async () => {
  if (field("delete-dialog").returnValue !== "ok") return;
  try {
    await del(`/api/kb/articles/${enc(slug)}`);
    saved = snapshot();
    location.assign(`/editor?deleted=${enc(slug)}`); // the articles page offers Undo
  } catch (error) {
    showErrors(error, "Not deleted");
  }
});

form.addEventListener("submit", (event) => {
  event.preventDefault();
  save();
});
form.addEventListener("input", onEdit);
form.addEventListener("change", onEdit);
field("publish")?.addEventListener("click", publish);
field("delete")?.addEventListener("click", confirmDelete);
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (!dirty()) return;
  event.preventDefault();
  event.returnValue = "";
});

const params = new URLSearchParams(location.search);
if (params.has("created")) {
  say("The draft was created. Fill in the text, save, and publish when it is ready.");
  history.replaceState(null, "", location.pathname);
}
markClean();
preview();
setBusy(false); // the buttons work from now on
versions?.load();
