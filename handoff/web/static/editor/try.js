// "Try a question": the ranked hits with their scores and the confident decision, from the
// live index and from the draft index side by side. The question is kept in the URL.

import { h, replace } from "../shared/dom.js";
import { enc, get } from "./api.js";
import { number } from "./format.js";

const $ = (id) => document.getElementById(id);
const form = $("try-form");

function decision(result) {
  const top = result.hits[0];
  if (result.confident && top) {
    return h(
      "p",
      { class: "decision confident" },
      h("strong", {}, "Confident"),
      ": the bot answers with ",
      h("a", { href: `/editor/articles/${enc(top.slug)}` }, top.title || top.slug),
      ".",
    );
  }
  return h(
    "p",
    { class: "decision unsure" },
    h("strong", {}, "Not confident"),
    result.hits.length ? ": the bot offers the first hits as suggestions." : ": the bot has nothing to offer.",
  );
}

function table(result) {
  if (!result.hits.length) return h("p", { class: "muted" }, "No hits.");
  return h(
    "table",
    { class: "tickets hits" },
    h("thead", {}, h("tr", {}, ["#", "Article", "Language", "Score", "Dense", "Lexical"].map((name) => h("th", { scope: "col" }, name)))),
    h(
      "tbody",
      {},
      result.hits.map((hit, i) =>
        h(
          "tr",
          {},
          h("td", {}, String(i + 1)),
          h("td", {}, h("a", { href: `/editor/articles/${enc(hit.slug)}` }, hit.title || hit.slug), h("br"), h("code", {}, hit.slug)),
          h("td", {}, hit.lang),
          h("td", { class: "num" }, number(hit.score)),
          h("td", { class: "num" }, number(hit.dense)),
          h("td", { class: "num" }, number(hit.lexical)),
        ),
      ),
    ),
  );
}

function render(result) {
  const translated = Object.entries(result.translations || {});
  return [
    decision(result),
    h("p", { class: "muted" }, `Query language: ${result.lang || "not detected"}`),
    translated.length ? h("p", { class: "muted" }, "Also searched as: ", translated.map(([lang, text]) => `${text} (${lang})`).join(", ")) : null,
    table(result),
  ];
}

async function run(q, lang) {
  const error = $("try-error");
  error.hidden = true;
  $("results").setAttribute("aria-busy", "true");
  try {
    const query = new URLSearchParams({ q });
    if (lang) query.set("lang", lang);
    const result = await get(`/api/kb/try?${query}`);
    replace($("live-results"), render(result.live));
    replace($("draft-results"), render(result.draft));
  } catch (failure) {
    error.textContent = `Could not search: ${failure.message}`;
    error.hidden = false;
  } finally {
    $("results").setAttribute("aria-busy", "false");
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const q = form.elements.q.value.trim();
  if (!q) return;
  const params = new URLSearchParams({ q });
  if (form.elements.lang.value) params.set("lang", form.elements.lang.value);
  history.replaceState(null, "", `?${params}`);
  run(q, form.elements.lang.value);
});

const params = new URLSearchParams(location.search);
if (params.get("q")) {
  form.elements.q.value = params.get("q");
  form.elements.lang.value = ["de", "en"].includes(params.get("lang")) ? params.get("lang") : "";
  run(form.elements.q.value, form.elements.lang.value);
}
