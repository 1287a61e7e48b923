// What the bot sends for an article, built the way the bot builds it and drawn by the
// widget's own message code (safe Markdown through DOM calls, never HTML strings).
//
// Mirrors the server and the bot: the sections are split as in handoff/kb/sections.py,
// the steps quoted are "Schritte"/"Steps" (else "Zuerst prüfen"/"Check first") as in
// bot/actions/kb.py utter_article, the text is domain.yml's utter_kb_answer, and the link
// is the one handoff/conversations/internal.py gives the bot.

import { messageNode } from "../widget/messages.js";
import { translator } from "../widget/i18n.js";

const HEADINGS = {
  check_first: ["zuerst prüfen", "check first"],
  steps: ["schritte", "steps"],
  still_not_working: ["klappt es nicht?", "still not working?"],
};
const EXPECTED = {
  de: ["Zuerst prüfen", "Schritte", "Klappt es nicht?"],
  en: ["Check first", "Steps", "Still not working?"],
};
const ANSWER = {
  de: (title, steps, url) => `Dazu habe ich etwas gefunden: **${title}**\n${steps}\nDer ganze Artikel: ${url}`,
  en: (title, steps, url) => `Here's what I found: **${title}**\n${steps}\nFull article: ${url}`,
};
const ASK_HELPFUL = {
  de: { text: "Hat Ihnen das geholfen?", buttons: ["Ja, hat geholfen", "Nein, leider nicht"] },
  en: { text: "Did that help?", buttons: ["Yes, that helped", "No, it didn't"] },
};

/** {intro, check_first, steps, still_not_working, headings: [in order]} of a Markdown body. */
export function splitSections(body) {
  const text = String(body ?? "");
  const out = { intro: "", check_first: "", steps: "", still_not_working: "", headings: [] };
  const matches = [...text.matchAll(/^##[ \t]+(.+?)[ \t]*$/gm)];
  out.intro = (matches.length ? text.slice(0, matches[0].index) : text).trim();
  matches.forEach((match, i) => {
    const end = i + 1 < matches.length ? matches[i + 1].index : text.length;
    const heading = match[1].trim();
    out.headings.push(heading);
    for (const [key, names] of Object.entries(HEADINGS)) {
      if (names.includes(heading.toLowerCase())) out[key] = text.slice(match.index + match[0].length, end).trim();
    }
  });
  return out;
}

/** Problems with the house format (kb/README.md), as sentences for the editor. */
export function formatWarnings(lang, body) {
  if (!String(body ?? "").trim()) return [];
  const { headings, steps } = splitSections(body);
  const expected = EXPECTED[lang];
  const lowered = headings.map((heading) => heading.toLowerCase());
  const warnings = expected
    .filter((heading) => !lowered.includes(heading.toLowerCase()))
    .map((heading) => `The section "## ${heading}" is missing.`);
  const order = expected.map((heading) => lowered.indexOf(heading.toLowerCase())).filter((i) => i >= 0);
  if (order.some((position, i) => i && position < order[i - 1])) {
    warnings.push(`Keep the sections in this order: ${expected.join(", ")}.`);
  }
  if (steps && !/^\s*1[.)]\s/m.test(steps)) warnings.push("The steps should be a numbered list (1. …).");
  return warnings;
}

/** The bot's messages for one language version of an article (what the widget receives). */
export function botMessages({ slug, lang, title, body, publicUrl }) {
  const parts = splitSections(body);
  // One chat message: the bot joins the steps' paragraphs (Rasa's REST channel would
  // split a text at blank lines).
  const steps = (parts.steps || parts.check_first || "").trim().replace(/\n\s*\n+/g, "\n");
  const cleanTitle = String(title ?? "").trim() || slug;
  const url = `${publicUrl}/kb/${slug}?lang=${lang}`;
  const ask = ASK_HELPFUL[lang];
  return [
    { seq: 1, sender: "bot", text: ANSWER[lang](cleanTitle, steps, url), kb_article: { slug, title: cleanTitle } },
    { seq: 2, sender: "bot", text: ask.text, buttons: ask.buttons.map((label) => ({ title: label, payload: "" })) },
  ];
}

/** Draw the preview into a list (replacing what was there). */
export function renderPreview(list, article) {
  const t = translator(article.lang);
  const articleUrl = (slug) => `${article.publicUrl}/kb/${encodeURIComponent(slug)}?lang=${article.lang}`;
  const nodes = botMessages(article).map((message) => {
    const node = messageNode(message, { t, articleUrl, onButton: () => {} });
    node.querySelector("time")?.remove(); // a preview has no time
    for (const button of node.querySelectorAll(".buttons button")) button.disabled = true;
    return node;
  });
  list.replaceChildren(...nodes);
}
