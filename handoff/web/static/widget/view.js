// The widget's DOM inside a shadow root: launcher button, chat panel (a non-modal dialog),
// the message log, the typing line and the composer. Texts come from the translator.

import { h, replace } from "../shared/dom.js";
import { LOCALES } from "./i18n.js";
import { CSS } from "./styles.js";

const LANGUAGE_NAMES = { de: "Deutsch", en: "English" };
const ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";

function svgIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", ICON);
  svg.append(path);
  return svg;
}

function adoptStyles(root) {
  if ("adoptedStyleSheets" in Document.prototype && "replaceSync" in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } else {
    root.append(h("style", {}, CSS));
  }
}

export class WidgetView {
  constructor({ position, onOpen, onClose, onSend, onLocale, onTyping }) {
    Object.assign(this, { onOpen, onClose, onSend, onLocale, onTyping });
    this.host = h("helpdesk-widget", { "data-position": position });
    this.root = this.host.attachShadow({ mode: "open" });
    adoptStyles(this.root);
    this.unread = 0;
    this._build(position);
    document.body.append(this.host);
  }

  _build(position) {
    this.badge = h("span", { class: "unread", hidden: true });
    this.launcherText = h("span", { class: "launcher-text" });
    this.launcher = h(
      "button",
      { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "hd-panel" },
      svgIcon(), this.launcherText, this.badge,
    );
    this.launcher.addEventListener("click", () => (this.isOpen ? this.onClose() : this.onOpen()));
    this.title = h("h2", { id: "hd-title" });
    this.stateLine = h("p", { class: "state", id: "hd-state", "aria-live": "polite" });
    this.langButtons = LOCALES.map((locale) =>
      h(
        "button",
        { type: "button", lang: locale, "aria-label": `${LANGUAGE_NAMES[locale]} (${locale.toUpperCase()})`, onclick: () => this.onLocale(locale) },
        locale.toUpperCase(),
      ),
    );
    this.langGroup = h("div", { class: "lang", role: "group" }, this.langButtons);
    this.closeButton = h("button", { type: "button", class: "close", onclick: () => this.onClose() }, "×");
    this.banner = h("p", { class: "banner", role: "status", hidden: true });
    this.log = h("ol", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" });
    this.typing = h("p", { class: "typing", "aria-live": "polite" });
    this.inputLabel = h("label", { for: "hd-input", class: "sr-only" });
    this.input = h("textarea", { id: "hd-input", rows: "1", maxlength: "4000", "aria-describedby": "hd-hint" });
    this.hint = h("p", { id: "hd-hint", class: "sr-only" });
    this.sendButton = h("button", { type: "submit", class: "send" });
    const form = h("form", { class: "composer" }, this.inputLabel, this.input, this.hint, this.sendButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this._submit();
    });
    this.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this._submit();
      }
    });
    this.input.addEventListener("input", () => {
      this._grow();
      if (this.input.value.trim()) this.onTyping();
    });
    this.panel = h(
      "section",
      { id: "hd-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "hd-title", "aria-describedby": "hd-state", hidden: true },
      h("header", {}, h("div", { class: "heading" }, this.title, this.stateLine), this.langGroup, this.closeButton),
      this.banner, this.log, this.typing, form,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.onClose();
      }
    });
    this.root.append(h("div", { class: `root ${position}` }, this.panel, this.launcher));
  }

  _submit() {
    const text = this.input.value.trim();
    if (!text) return;
    this.input.value = "";
    this._grow();
    this.onSend(text);
  }

  _grow() {
    const lines = this.input.value.split("\n").length;
    this.input.rows = Math.min(Math.max(lines, 1), 5);
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /** Put every fixed text in the given language. */
  applyTexts(t) {
    this.host.lang = t.locale;
    this.launcherText.textContent = t("launcher");
    this.launcher.setAttribute("aria-label", t("launcherLabel"));
    this.title.textContent = t("title");
    this.langGroup.setAttribute("aria-label", t("language"));
    for (const button of this.langButtons) button.setAttribute("aria-pressed", String(button.lang === t.locale));
    this.closeButton.setAttribute("aria-label", t("close"));
    this.closeButton.title = t("close");
    this.log.setAttribute("aria-label", t("log"));
    this.inputLabel.textContent = t("input");
    this.input.placeholder = t("placeholder");
    this.hint.textContent = t("hint");
    this.sendButton.textContent = t("send");
    this.t = t;
    this.setUnread(this.unread);
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.host.classList.add("open");
    this.setUnread(0);
    this.scrollToEnd();
    this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.host.classList.remove("open");
    this.launcher.focus();
  }

  setUnread(count) {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = count ? String(count) : "";
    if (this.t) {
      const label = this.t("launcherLabel") + (count ? ` – ${this.t("unread", { count })}` : "");
      this.launcher.setAttribute("aria-label", label);
    }
  }

  setState(text) {
    this.stateLine.textContent = text;
  }

  setBanner(text, action) {
    this.banner.hidden = !text;
    replace(this.banner, text || "", action || null);
  }

  setTyping(text) {
    this.typing.textContent = text || "";
  }

  clearLog() {
    this.log.replaceChildren();
  }

  add(node) {
    const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    this.log.append(node);
    if (nearEnd || !this.isOpen) this.scrollToEnd();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
