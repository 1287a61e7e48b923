// Knowledge gaps: groups of questions the bot could not answer, each question's
// conversations one click away, and the two ways to close a gap (a new draft article from
// the group, or its questions attached to an existing article), dismissing what is no gap, and
// the suggested example questions (questions an article demonstrably answered) to accept.

import { h, replace } from "../shared/dom.js";
import { toast } from "../console/ui.js";
import { Transcript } from "../console/transcript.js";
import { ApiError, api, enc, get, post } from "./api.js";
import { slugify, timeNode } from "./format.js";

const $ = (id) => document.getElementById(id);
const KINDS = { no_answer: "no confident answer", didnt_help: "\u201cdidn't help\u201d", handoff: "handed to a person" };
const MAX_QUESTIONS = 50; // what the API takes per group
const transcript = new Transcript($("transcript"));
let current = null; // the group a dialog is about

function questionItem(question) {
  const conversations = question.conversations.map((id, i) =>
    h(
      "button",
      { type: "button", class: "small link-like", onclick: () => openTranscript(id, question.text), "aria-label": `Conversation ${i + 1} for: ${question.text}` },
      `conversation ${i + 1}`,
    ),
  );
  return h(
    "li",
    {},
    h("span", { class: "question plain" }, question.text),
    " ",
    h("span", { class: "count", "aria-label": `asked ${question.count} times` }, `×${question.count}`),
    conversations.length ? h("span", { class: "conversations" }, " · ", conversations) : null,
  );
}

function groupItem(group, index) {
  const headingId = `group-${index}`;
  const top = group.questions[0].text;
  const tryLink = `/editor/try?${new URLSearchParams({ q: top })}`;
  return h(
    "li",
    { class: "group panel", "aria-labelledby": headingId, dataset: { group: group.id } },
    h("h2", { id: headingId, class: "plain" }, top),
    h(
      "p",
      { class: "group-meta" },
      h("strong", {}, `${group.count}×`),
      " · ",
      group.kinds.map((kind) => h("span", { class: `kind ${kind}` }, KINDS[kind] || kind)),
      group.last_seen ? [" · last seen ", timeNode(group.last_seen)] : null,
    ),
    h("ul", { class: "questions" }, group.questions.map(questionItem)),
    h(
      "div",
      { class: "row" },
      h("button", { type: "button", class: "primary", onclick: () => openDraft(group) }, "New draft article from this group"),
      h("button", { type: "button", onclick: () => openAttach(group) }, "Attach to existing article"),
      h("a", { href: tryLink }, "Try the question"),
      h("button", { type: "button", onclick: () => dismiss(group, "not_it") }, "Dismiss: not IT"),
      h("button", { type: "button", onclick: () => dismiss(group, "person") }, "Dismiss: request for a person"),
    ),
  );
}

async function dismiss(group, reason) {
  try {
    await post("/api/kb/gaps/dismiss", { questions: questions(group), reason });
    toast(`Dismissed: ${group.questions[0].text}`);
    await load();
  } catch (error) {
    toast(`Not dismissed: ${error.message}`, "error");
  }
}

const SOURCES = { helped: "said it helped", agent: "resolved by an agent with it" };

function suggestionItem(suggestion) {
  const choice = { slug: suggestion.slug, lang: suggestion.lang, text: suggestion.text };
  const decide = async (verb) => {
    try {
      const result = await api("POST", `/api/kb/suggestions/${verb}`, choice);
      toast(
        verb === "reject"
          ? `Rejected: ${suggestion.text}`
          : `Added to ${result.slug} (version ${result.version}${result.published ? ", published" : ", in the pending draft"}).`,
      );
      await loadSuggestions();
    } catch (error) {
      toast(`Not saved: ${error.message}`, "error");
    }
  };
  const label = `${suggestion.text} for ${suggestion.slug}`;
  return h(
    "li",
    { class: "suggestion panel" },
    h("span", { class: "question plain" }, suggestion.text),
    " → ",
    h("a", { href: `/editor/articles/${enc(suggestion.slug)}` }, suggestion.slug),
    ` · ${suggestion.lang} · ${suggestion.sources.map((s) => SOURCES[s] || s).join(", ")} · ×${suggestion.count} `,
    h("button", { type: "button", class: "primary", onclick: () => decide("accept"), "aria-label": `Accept: ${label}` }, "Accept"),
    " ",
    h("button", { type: "button", onclick: () => decide("reject"), "aria-label": `Reject: ${label}` }, "Reject"),
  );
}

async function loadSuggestions() {
  const status = $("suggestions-status");
  try {
    const { suggestions } = await get("/api/kb/suggestions");
    replace($("suggestions"), suggestions.map(suggestionItem));
    status.textContent = suggestions.length
      ? `${suggestions.length} suggestion${suggestions.length === 1 ? "" : "s"}, the most often confirmed first.`
      : "No suggestions at the moment.";
  } catch (error) {
    status.textContent = `Could not load the suggestions: ${error.message}`;
  }
}

async function load() {
  const status = $("gaps-status");
  status.textContent = "Loading…";
  try {
    const { groups } = await get("/api/kb/gaps");
    replace($("groups"), groups.map(groupItem));
    status.textContent = groups.length
      ? `${groups.length} group${groups.length === 1 ? "" : "s"}, the most frequent first.`
      : "No gaps: every question was answered confidently (or has been dealt with).";
  } catch (error) {
    status.textContent = `Could not load the gaps: ${error.message}`;
  }
}

async function openTranscript(conversationId, question) {
  const dialog = $("transcript-dialog");
  try {
    const data = await get(`/api/kb/transcripts/${enc(conversationId)}`);
    transcript.reset({ messages: data.messages, bot: [], employee: "Employee" });
    $("transcript-meta").textContent = `About: ${question} · language ${data.locale} · ${data.messages.length} messages`;
    dialog.showModal();
  } catch (error) {
    toast(`Could not open the conversation: ${error.message}`, "error");
  }
}

function questions(group) {
  return group.questions.map((q) => q.text).slice(0, MAX_QUESTIONS);
}

function clearErrors(box) {
  box.hidden = true;
  box.replaceChildren();
}

function showErrors(box, error) {
  const problems = error instanceof ApiError ? error.problems : [{ field: null, message: String(error) }];
  replace(box, h("ul", {}, problems.map((p) => h("li", {}, p.field && p.field.length ? `${p.field.join(" › ")}: ${p.message}` : p.message))));
  box.hidden = false;
  box.focus();
}

const GERMAN = /\b(ich|wie|was|wo|warum|nicht|kein|keine|der|die|das|den|dem|ein|eine|mein|meine|kann|geht|ist|und|mit|zeigt|habe|wird|für|auf|im|zu|bei|von)\b|[äöüß]/gi;
const ENGLISH = /\b(i|how|what|where|why|not|no|the|a|an|my|can|does|doesn't|is|and|with|for|on|in|to|at|of)\b/gi;

/** The language of a question, for the form's default (the editor may change it). */
function guessLang(text) {
  const count = (pattern) => (text.match(pattern) || []).length;
  return count(GERMAN) >= count(ENGLISH) ? "de" : "en";
}

function openDraft(group) {
  current = group;
  const top = group.questions[0].text;
  const form = $("draft-form");
  clearErrors($("draft-errors"));
  form.elements.slug.value = slugify(top);
  form.elements.lang.value = guessLang(top);
  form.elements.title.value = top.replace(/\?+$/, "");
  $("draft-dialog").showModal();
  form.elements.slug.focus();
}

async function loadArticles() {
  const { articles } = await get("/api/kb/articles");
  const title = (a) => a.translations.de?.title || a.translations.en?.title || a.slug;
  articles.sort((a, b) => title(a).localeCompare(title(b)));
  replace($("attach-slug"), articles.map((a) => h("option", { value: a.slug }, `${title(a)} (${a.slug})`)));
}

async function openAttach(group) {
  current = group;
  clearErrors($("attach-errors"));
  try {
    await loadArticles();
  } catch (error) {
    toast(`Could not load the articles: ${error.message}`, "error");
    return;
  }
  $("attach-form").elements.lang.value = guessLang(group.questions[0].text);
  $("attach-dialog").showModal();
  $("attach-slug").focus();
}

$("draft-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors($("draft-errors"));
  const body = {
    slug: form.elements.slug.value.trim(),
    category: form.elements.category.value,
    lang: form.elements.lang.value,
    title: form.elements.title.value.trim(),
    questions: questions(current),
  };
  try {
    const created = await post("/api/kb/gaps/draft", body);
    location.assign(`/editor/articles/${enc(created.slug)}?created=1`);
  } catch (error) {
    showErrors($("draft-errors"), error);
  }
});

$("attach-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = event.target;
  clearErrors($("attach-errors"));
  try {
    const result = await post("/api/kb/gaps/attach", { slug: form.elements.slug.value, lang: form.elements.lang.value, questions: questions(current) });
    $("attach-dialog").close();
    toast(`Added to ${result.slug} as version ${result.version}: publish it and rebuild the index.`);
    await load();
  } catch (error) {
    showErrors($("attach-errors"), error);
  }
});

for (const dialog of document.querySelectorAll("dialog")) {
  dialog.querySelector(".cancel")?.addEventListener("click", () => dialog.close());
}
$("reload").addEventListener("click", () => Promise.all([load(), loadSuggestions()]));
load();
loadSuggestions();
