// The widget's DOM inside a shadow root: launcher button, chat panel (a non-modal dialog),
// earlier conversations, the message log, the typing line, the awaiting-reply notice and
// the composer. Texts come from the translator.

import { h, replace, svgIcon } from "../shared/dom.js";
import { Archive } from "./archive.js";
import { filesOf } from "./attach.js";
import { Composer } from "./composer.js";
import { ImageViewer } from "./files.js";
import { LOCALES } from "./i18n.js";
import { CSS } from "./styles.js";

const LANGUAGE_NAMES = { de: "Deutsch", en: "English" };
const ICON = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z";


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
  constructor({ position, onOpen, onClose, onSend, onUpload, onLocale, onTyping, onArchive, onArchiveBack }) {
    Object.assign(this, { onOpen, onClose, onLocale });
    this.host = h("helpdesk-widget", { "data-position": position });
    this.root = this.host.attachShadow({ mode: "open" });
    adoptStyles(this.root);
    this.unread = 0;
    this.composer = new Composer({ onSend, onTyping, onUpload });
    this.viewer = new ImageViewer();
    this.archive = new Archive({ onOpen: onArchive, onBack: onArchiveBack });
    this._build(position);
    document.body.append(this.host);
  }

  // The launcher's and the language buttons' names are their visible text plus hidden
  // words, so what people see is what speech input and screen readers call them.
  _build(position) {
    this.badge = h("span", { class: "unread", hidden: true, "aria-hidden": "true" });
    this.launcherText = h("span", { class: "launcher-text" });
    this.launcherHint = h("span", { class: "sr-only" });
    this.launcher = h(
      "button",
      { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": "hd-panel" },
      svgIcon(ICON), this.launcherText, this.launcherHint, this.badge,
    );
    this.launcher.addEventListener("click", () => (this.isOpen ? this.onClose() : this.onOpen()));
    this.title = h("h2", { id: "hd-title" });
    this.stateLine = h("p", { class: "state", id: "hd-state", "aria-live": "polite" });
    this.langButtons = LOCALES.map((locale) =>
      h(
        "button",
        { type: "button", lang: locale, onclick: () => this.onLocale(locale) },
        locale.toUpperCase(),
        h("span", { class: "sr-only" }, ` (${LANGUAGE_NAMES[locale]})`),
      ),
    );
    this.langGroup = h("div", { class: "lang", role: "group" }, this.langButtons);
    this.closeButton = h("button", { type: "button", class: "close", onclick: () => this.onClose() }, "×");
    this.banner = h("p", { class: "banner", role: "status", hidden: true });
    this.list = h("ol", { class: "messages" });
    const logProps = { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabindex: "0" };
    this.log = h("div", logProps, this.list);
    this.typing = h("p", { class: "typing", "aria-live": "polite" });
    this.awaiting = h("p", { class: "awaiting", role: "status", hidden: true });
    this.current = h("div", { class: "current" }, this.log, this.typing, this.awaiting, this.composer.form);
    const panelProps = { id: "hd-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "hd-title", "aria-describedby": "hd-state", hidden: true };
    this.panel = h(
      "section",
      panelProps,
      h("header", {}, h("div", { class: "heading" }, this.title, this.stateLine), this.langGroup, this.closeButton),
      this.banner, this.archive.section, this.archive.reader, this.current,
    );
    this.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape") {
        event.stopPropagation();
        this.onClose();
      }
    });
    this._dropTarget();
    this.root.append(h("div", { class: `root ${position}` }, this.panel, this.launcher, this.viewer.dialog));
  }

  /** Files dropped anywhere on the panel wait in the composer, like picked ones. */
  _dropTarget() {
    const carriesFiles = (event) => [...(event.dataTransfer?.types || [])].includes("Files") && !this.current.hidden;
    this.panel.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.panel.classList.add("dropping");
    });
    this.panel.addEventListener("dragleave", (event) => {
      if (!this.panel.contains(event.relatedTarget)) this.panel.classList.remove("dropping");
    });
    this.panel.addEventListener("drop", (event) => {
      this.panel.classList.remove("dropping");
      if (!carriesFiles(event)) return;
      event.preventDefault();
      this.composer.attach.add(filesOf(event.dataTransfer));
      this.focusInput();
    });
  }

  /** Extra parts: `top` under the header (notices), `bottom` above the message box. */
  addSections({ top, bottom }) {
    if (top) this.banner.after(top);
    if (bottom) this.current.insertBefore(bottom, this.composer.form);
  }

  get input() {
    return this.composer.input;
  }

  get isOpen() {
    return !this.panel.hidden;
  }

  /** Put every fixed text in the given language. */
  applyTexts(t) {
    this.t = t;
    this.host.lang = t.locale;
    this.launcherText.textContent = t("launcher");
    this.title.textContent = t("title");
    this.langGroup.setAttribute("aria-label", t("language"));
    for (const button of this.langButtons) button.setAttribute("aria-pressed", String(button.lang === t.locale));
    this.closeButton.setAttribute("aria-label", t("close"));
    this.closeButton.title = t("close");
    this.log.setAttribute("aria-label", t("log"));
    this.composer.applyTexts(t);
    this.viewer.applyTexts(t);
    this.archive.applyTexts(t);
    this.setUnread(this.unread);
  }

  open() {
    this.panel.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.host.classList.add("open");
    this.setUnread(0);
    this.scrollToEnd();
    if (this.archive.reading) this.archive.title.focus();
    else this.input.focus();
  }

  close() {
    this.panel.hidden = true;
    this.launcher.setAttribute("aria-expanded", "false");
    this.host.classList.remove("open");
    this.launcher.focus();
  }

  /** Keep the keyboard in the widget: back to the message box (after a quick reply). */
  focusInput() {
    if (this.isOpen && !this.archive.reading) this.input.focus();
  }

  /** Read an earlier conversation instead of the current one (or go back to it). */
  reading(on) {
    this.current.hidden = on;
    if (!on) {
      this.archive.hide();
      this.focusInput();
    }
  }

  setUnread(count) {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.badge.textContent = count ? String(count) : "";
    if (this.t) this.launcherHint.textContent = ` – ${this.t("launcherHint")}${count ? ` – ${this.t("unread", { count })}` : ""}`;
  }

  setState(text) {
    this.stateLine.textContent = text;
  }

  /** The notice above the input while a ticket waits for the employee's reply. */
  setAwaiting(text) {
    this.awaiting.hidden = !text;
    this.awaiting.textContent = text || "";
  }

  setBanner(text, action) {
    this.banner.hidden = !text;
    replace(this.banner, text || "", action || null);
  }

  /** The socket's state in the banner: retrying, offline, connecting again, fine. */
  connection(status, detail) {
    const t = this.t;
    if (status === "retrying") this.setBanner(t("retrying", { seconds: Math.ceil(detail.seconds) }));
    else if (status === "offline") this.setBanner(t("offline"));
    else if (status === "connecting" && !this.banner.hidden) this.setBanner(t("connecting"));
    else if (status === "open" || status === "stopped") this.setBanner("");
  }

  /** The service cannot be reached (or refused the login): say so, with "try again". */
  showError(error, retry) {
    const button = h("button", { type: "button", class: "link" }, this.t("tryAgain"));
    button.addEventListener("click", () => {
      this.setBanner(this.t("connecting"));
      retry();
    });
    this.setBanner(this.t(error && error.status === 401 ? "noLogin" : "unavailable") + " ", button);
  }

  setTyping(text) {
    this.typing.textContent = text || "";
  }

  clearLog() {
    this.list.replaceChildren();
  }

  add(node) {
    const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 80;
    this.list.append(node);
    if (nearEnd || !this.isOpen) this.scrollToEnd();
  }

  scrollToEnd() {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
