// The chat widget: ties the view, the REST client and the live socket together.
// Every message is rendered once (by seq); after a reload or a dropped connection the
// widget asks for what came after the last seq it has.

import { LiveSocket } from "../shared/socket.js";
import { ChatClient } from "./client.js";
import { EarlierConversations } from "./history.js";
import { pickLocale, translator } from "./i18n.js";
import { MessageLog } from "./log.js";
import { markFailed, markRefused, relabelOwn } from "./messages.js";
import { ProblemBanner } from "./problems.js";
import { RatingPrompt } from "./rating.js";
import { ChatStatus } from "./status.js";
import { WidgetView } from "./view.js";

const TYPING_EVERY_MS = 3000;
const TYPING_SHOWN_MS = 6000;
const LIVE_STATES = ["queued", "agent"];

class Widget {
  constructor(config) {
    this.config = config;
    this.client = new ChatClient(config);
    this.conversationId = null;
    this.status = new ChatStatus();
    this.starting = null;
    this.lastTypingSent = 0;
    this.botAnswering = 0; // messages the bot is still answering
    this.fatalRetries = 0;
    this.view = new WidgetView({
      position: config.position,
      onOpen: () => this.open(),
      onClose: () => this.close(),
      onSend: (text, files) => this.send(text, undefined, files),
      onUpload: (file, onProgress) => this.upload(file, onProgress),
      onLocale: (locale) => this.setLocale(locale),
      onTyping: () => this.typing(),
      onArchive: (conversation) => this.earlier.read(conversation, this.locale),
      onArchiveBack: () => this.view.reading(false),
    });
    this.earlier = new EarlierConversations({ client: this.client, view: this.view });
    this.log = new MessageLog({
      view: this.view,
      articleUrl: (slug, lang) => this.client.articleUrl(slug, lang || this.locale),
      onButton: (button) => {
        this.rating.noteHelped(button, this.conversationId);
        this.view.focusInput();
        this.send(button.title, button.payload);
      },
      files: { load: (url) => this.client.blob(url), viewer: this.view.viewer },
      greeting: () => {
        const name = (this.client.name || "").split(" ")[0];
        return this.t("welcome", { name: name ? ` ${name}` : "" });
      },
    });
    this.socket = new LiveSocket({
      url: () => this.client.socketUrl(this.conversationId, this.log.lastSeq),
      onEvent: (event) => this.onEvent(event),
      onStatus: (status, detail) => this.view.connection(status, detail),
      onFatal: (code) => this.onSocketFatal(code),
      onOpen: () => this.refreshStatus(),
    });
    this.rating = new RatingPrompt({ view: this.view, client: this.client, t: () => this.t });
    this.problems = new ProblemBanner({ client: this.client, t: () => this.t });
    this.view.addSections({ top: this.problems.section, bottom: this.rating.section });
    this.applyLocale(pickLocale(config.locale));
    this.log.reset(this.t);
  }

  async init() {
    try {
      if (!this.client.identity) await this.client.token();
    } catch {
      /* shown when the chat is opened */
    }
    const saved = this.client.load();
    if (saved.locale) this.applyLocale(saved.locale);
    this.conversationId = saved.conversationId || null;
    this.log.reset(this.t); // the employee's name may be known only now
    // A chat with a person (or waiting for one) comes back live at once, so nothing is missed.
    if (this.conversationId && LIVE_STATES.includes(saved.state)) this.start().catch(() => {});
    if (saved.open || this.config.open) this.open();
  }

  // --- opening, starting, switching conversations ---
  open() {
    this.view.open();
    this.client.save({ open: true });
    this.start().catch(() => {});
  }

  close() {
    if (this.rating.beforeClose(this.conversationId)) return; // asked once, a second close closes
    this.view.close();
    this.client.save({ open: false });
  }

  start() {
    if (!this.starting) {
      this.starting = this._start().catch((error) => {
        this.starting = null;
        this.showError(error);
        throw error;
      });
    }
    return this.starting;
  }

  async _start() {
    const listing = await this.earlier.list();
    const resume = this.earlier.pick(listing, this.conversationId);
    if (resume) {
      try {
        await this.loadConversation(resume);
        this.conversationId = resume;
        this.client.save({ conversationId: resume });
      } catch (error) {
        if (error.status !== 404) throw error;
        this.conversationId = null; // not this employee's any more (or deleted): start afresh
      }
    }
    if (!this.conversationId) {
      const session = await this.client.createSession(this.locale);
      this.conversationId = session.conversation_id;
      this.client.save({ conversationId: this.conversationId });
      this.applySession(session);
    }
    this.earlier.show(listing, this.conversationId);
    this.view.setBanner("");
    this.problems.refresh(this.locale);
    this.socket.start();
  }

  async loadConversation(id) {
    const [session, transcript] = await Promise.all([this.client.readSession(id), this.client.messages(id, 0)]);
    this.log.reset(this.t);
    this.applySession(session);
    for (const message of transcript.messages) this.log.add(message);
    this.log.restorePending();
  }

  switchTo(id) {
    if (!id || id === this.conversationId) return;
    this.conversationId = id;
    this.client.save({ conversationId: id });
    this.log.newConversation();
    this.rating.forget();
    this.applyStatus({ awaiting: null });
    this.socket.stop();
    this.socket.start();
    this.earlier.refresh(id);
  }

  // --- messages ---
  addMessage(message) {
    if (!this.log.add(message)) return;
    if (message.sender === "agent") this.showTyping(false);
    if (!this.view.isOpen && message.sender !== "user") this.view.setUnread(this.view.unread + 1);
  }

  /** files: how many files follow as part of this message (typed with a screenshot). */
  async send(text, payload, files = 0) {
    const entry = this.log.addPending(text);
    const toBot = this.status.state !== "agent" && this.status.state !== "queued";
    if (toBot) this.showBotAnswering(+1);
    try {
      await this.start();
      const reply = await this.client.send(this.conversationId, text, payload, files);
      entry.node.querySelector(".status")?.remove();
      entry.node.classList.remove("pending");
      if (reply.new_conversation || reply.conversation_id !== this.conversationId) this.switchTo(reply.conversation_id);
      this.followLocale(reply.locale); // one language: the answer's labels too
      relabelOwn(entry.node, this.t); // and this turn's own message, drawn before the switch
      for (const message of reply.messages) this.addMessage(message);
      this.applyStatus({ state: reply.state, position: reply.queue_position, ...ChatStatus.fromDesk(reply.desk) });
      if (reply.to_ticket) this.applyStatus({ awaiting: null }); // the reply went to that ticket
      if (!this.socket.isOpen) await this.catchUp();
    } catch (error) {
      this.log.forget(entry);
      // A button from an earlier answer (e.g. the employee wrote in another tab meanwhile):
      // sending it again cannot help.
      if (payload && error.status === 422) return markRefused(entry.node, this.t("buttonSpent"));
      // Typed text with nothing to read (only slashes): sending it again cannot help either.
      if (error.status === 422) return markRefused(entry.node, this.t("noText"));
      markFailed(entry.node, this.t, () => {
        entry.node.remove();
        this.send(text, payload, files);
      });
    } finally {
      if (toBot) this.showBotAnswering(-1);
    }
  }

  /** "Assistant is typing …" from sending until the bot's answer is shown. */
  showBotAnswering(change) {
    this.botAnswering = Math.max(0, this.botAnswering + change);
    clearTimeout(this.typingTimer);
    this.view.setTyping(this.botAnswering ? this.t("typing", { who: this.t("bot") }) : "");
  }

  /** One file to the conversation; it comes back as a message with `attachments`. */
  async upload(file, onProgress) {
    await this.start();
    await this.client.upload(this.conversationId, file, onProgress);
    if (!this.socket.isOpen) await this.catchUp();
  }

  async catchUp() {
    try {
      const transcript = await this.client.messages(this.conversationId, this.log.lastSeq);
      for (const message of transcript.messages) this.addMessage(message);
    } catch {
      /* the socket's replay brings it later */
    }
  }

  typing() {
    const now = Date.now();
    if (this.status.state !== "agent" || now - this.lastTypingSent < TYPING_EVERY_MS) return;
    if (this.socket.send({ type: "typing" })) this.lastTypingSent = now;
  }

  showTyping(on) {
    clearTimeout(this.typingTimer);
    const who = this.status.agent || this.t("support");
    this.view.setTyping(on ? this.t("typing", { who }) : "");
    if (on) this.typingTimer = setTimeout(() => this.view.setTyping(""), TYPING_SHOWN_MS);
  }

  // --- live events ---
  onEvent(event) {
    const here = !event.conversation_id || event.conversation_id === this.conversationId;
    if (event.type === "message" && here) {
      this.followLocale(event.locale);
      this.addMessage(event.message);
    } else if (event.type === "state" && here) {
      if (event.moved_to && event.moved_to !== this.conversationId) return this.switchTo(event.moved_to);
      if (event.state === "closed" && this.status.state === "agent") this.rating.onClosed(this.conversationId);
      this.applyStatus({ state: event.state, agent: event.agent });
      if (event.state === "queued" && !this.status.position) this.refreshStatus(); // where in line?
      this.followLocale(event.locale);
    } else if (event.type === "queue" && here) {
      const desk = "desk_open" in event
        ? { open: event.desk_open, opens_at: event.opens_at, staffed: event.desk_staffed }
        : null;
      this.applyStatus({ position: event.position, minutes: event.estimated_wait_minutes, ...ChatStatus.fromDesk(desk) });
    } else if (event.type === "typing" && here && event.who === "agent") this.showTyping(true);
    else if (event.type === "ticket") this.ticketNotice(event);
  }

  ticketNotice({ ticket, reply }) {
    if (!ticket) return;
    if (ticket.conversation_id === this.conversationId) this.trackAwaiting(ticket);
    if (reply && ticket.conversation_id === this.conversationId) return; // arrives as a message
    const text = this.t("ticketUpdate", { number: ticket.number, status: this.t.status(ticket.status) });
    this.log.notice(text, reply ? reply.text : null);
    if (!this.view.isOpen) this.view.setUnread(this.view.unread + 1);
  }

  /** A ticket of this conversation waiting for the employee (on_hold) shows the notice. */
  trackAwaiting(ticket) {
    if (ticket.status === "on_hold") this.applyStatus({ awaiting: { number: ticket.number, subject: ticket.subject } });
    else if (this.status.awaiting && this.status.awaiting.number === ticket.number) this.applyStatus({ awaiting: null });
  }

  async refreshStatus() {
    this.fatalRetries = 0;
    try {
      this.applySession(await this.client.readSession(this.conversationId));
    } catch {
      /* the next event corrects it */
    }
  }

  applySession(session) {
    this.applyStatus(ChatStatus.fromSession(session));
    if (session.locale && session.locale !== this.locale) this.applyLocale(session.locale);
  }

  applyStatus(partial) {
    this.status.update(partial);
    this.client.save({ state: this.status.state });
    this.view.setState(this.status.text(this.t));
    this.view.setAwaiting(this.status.awaitingText(this.t));
  }

  async onSocketFatal(code) {
    if (this.fatalRetries++ > 2) return this.showError({ status: code === 4401 ? 401 : 0 });
    try {
      if (code === 4401) await this.client.token(true);
      if (code === 4404) {
        this.conversationId = null;
        this.starting = null;
        return this.start();
      }
      this.socket.start();
    } catch (error) {
      this.showError(error);
    }
  }

  showError(error) {
    this.view.showError(error, () => this.start().catch(() => {}));
  }

  // --- language ---
  applyLocale(locale) {
    this.locale = locale === "en" ? "en" : "de";
    this.t = translator(this.locale);
    this.view.applyTexts(this.t);
    this.view.setState(this.status.text(this.t));
    this.view.setAwaiting(this.status.awaitingText(this.t));
    if (this.log) this.log.retranslate(this.t);
    if (this.problems && this.starting) this.problems.refresh(this.locale);
    if (this.rating) this.rating.retranslate();
  }

  /** The service switched the chat's language (the employee clearly wrote in the other). */
  followLocale(locale) {
    if (!locale || locale === this.locale) return;
    this.applyLocale(locale);
    this.client.save({ locale: this.locale });
  }

  async setLocale(locale) {
    this.applyLocale(locale);
    this.client.save({ locale: this.locale });
    if (!this.conversationId) return;
    try {
      await this.client.setLocale(this.conversationId, this.locale);
    } catch {
      /* the UI language changed anyway; the bot follows with the next message */
    }
  }
}

/** Start the widget on the page; returns the small public API (window.HelpdeskWidget). */
export function mount(config) {
  const widget = new Widget(config);
  widget.init();
  return {
    open: () => widget.open(),
    close: () => widget.close(),
    setLocale: (locale) => widget.setLocale(locale),
  };
}
