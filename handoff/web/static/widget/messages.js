// One chat message as a list item. Bot and agent text goes through the safe Markdown
// subset (DOM only); the employee's own text is shown exactly as typed.

import { clock, externalLink, h } from "../shared/dom.js";
import { renderMarkdown } from "../shared/markdown.js";
import { attachmentNodes } from "./files.js";

function sender(message, t) {
  if (message.sender === "user") return t("you");
  if (message.sender === "bot") return t("bot");
  if (message.sender === "agent") return message.author || t("support");
  return t("system");
}

function quickReplies(message, onButton) {
  const buttons = (message.buttons || []).filter((b) => b && b.title);
  if (!buttons.length) return null;
  const group = h("div", { class: "buttons", role: "group" });
  for (const button of buttons) {
    group.append(
      h(
        "button",
        {
          type: "button",
          onclick: () => {
            onButton(button); // first: it moves the focus on before this button is disabled
            for (const b of group.querySelectorAll("button")) b.disabled = true;
            group.classList.add("used");
          },
        },
        button.title,
      ),
    );
  }
  return group;
}

/** The bot's text without its own "whole article: <url>" line: the widget links the article once. */
function withoutArticleLine(text, slug) {
  const own = new RegExp(`/kb/${encodeURIComponent(slug).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?:[?#\\s)]|$)`);
  return String(text ?? "")
    .split("\n")
    .filter((line) => !own.test(line))
    .join("\n");
}

/** The translator for a message: its own language when the service says which it is in. */
function translatorFor(message, t) {
  const lang = message.lang || message.locale || message.kb_article?.lang;
  return lang && lang !== t.locale && t.in ? t.in(lang) : t;
}

/**
 * @param {object} message  as in the transcript API (seq, sender, text, author?, buttons?,
 *   kb_article?, ticket?, created_at)
 * @param {object} o  t: translator, articleUrl(slug, lang), onButton(button), files: {load(url)
 *   -> Blob, viewer} for attachments (without it they show as names)
 */
export function messageNode(message, { t: widgetT, articleUrl, onButton, files }) {
  const t = translatorFor(message, widgetT);
  const kind = message.sender === "user" ? "user" : message.sender;
  const item = h("li", { class: `msg ${kind}`, lang: t === widgetT ? null : t.locale, dataset: { seq: message.seq ?? "" } });
  if (kind === "system") {
    item.append(h("span", { class: "sr-only" }, `${t("system")}: `), h("p", {}, message.text));
    return item;
  }
  item.append(h("span", { class: kind === "agent" ? "who" : "who sr-only" }, sender(message, t)));
  const bubble = h("div", { class: "bubble" });
  const article = message.kb_article && message.kb_article.slug ? message.kb_article : null;
  if (message.ticket && message.ticket.number) {
    bubble.append(h("p", { class: "ticket-ref" }, t("ticketReply", { number: message.ticket.number })));
  }
  if (message.kb_article && message.kb_article.title) {
    bubble.append(
      h("p", { class: "article-title" }, h("span", { class: "tag" }, t("article")), " ", message.kb_article.title),
    );
  }
  if (message.attachments?.length) bubble.append(attachmentNodes(message.attachments, t, files));
  else if (kind === "user") bubble.append(h("p", { class: "plain" }, message.text));
  else bubble.append(renderMarkdown(article ? withoutArticleLine(message.text, article.slug) : message.text));
  if (article) {
    bubble.append(h("p", { class: "article-link" }, externalLink(articleUrl(article.slug, t.locale), t("openArticle"))));
  }
  item.append(bubble);
  const replies = onButton && quickReplies(message, onButton);
  if (replies) item.append(replies);
  item.append(h("time", { class: "time", datetime: message.created_at || "" }, clock(message.created_at, t.dateLocale)));
  return item;
}

/** The employee's message before the server confirmed it (no seq yet). */
export function pendingNode(text, t) {
  const item = messageNode({ sender: "user", text, created_at: new Date().toISOString() }, { t, articleUrl: () => "" });
  item.classList.add("pending");
  item.append(h("span", { class: "status" }, t("sending")));
  return item;
}

/** Mark a pending message as failed, with a button to send it again. */
export function markFailed(item, t, retry) {
  item.classList.remove("pending"); // no longer on its way: kept here to be sent again
  item.classList.add("failed");
  const status = item.querySelector(".status");
  status.replaceChildren(t("notSent"), " ", h("button", { type: "button", class: "link", onclick: retry }, t("retry")));
}

/** Mark a message the service refused for good (a spent button): no retry, the reason. */
export function markRefused(item, reason) {
  item.classList.remove("pending");
  item.classList.add("failed");
  item.querySelector(".status")?.replaceChildren(reason);
}

/** The employee's own message in the language the chat answered in (a switch by this turn). */
export function relabelOwn(item, t) {
  const who = item.querySelector(".who");
  if (who) who.textContent = t("you");
}

export function markSent(item, seq) {
  item.classList.remove("pending", "failed");
  if (seq) item.dataset.seq = String(seq);
  item.querySelector(".status")?.remove();
}

/** A line between conversations, or a notice that is not a message (ticket changes). */
export function noticeNode(text, detail) {
  return h("li", { class: "msg notice" }, h("p", {}, text), detail ? h("p", { class: "plain detail" }, detail) : null);
}
