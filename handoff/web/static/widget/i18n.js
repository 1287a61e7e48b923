// The widget's texts in German and English, and which language to start in.

export const LOCALES = ["de", "en"];

const TEXTS = {
  de: {
    launcher: "IT-Hilfe",
    launcherLabel: "Chat mit dem IT-Assistenten",
    title: "IT Service Desk",
    close: "Chat schließen",
    language: "Sprache",
    log: "Chatverlauf",
    input: "Ihre Nachricht",
    placeholder: "Nachricht schreiben …",
    send: "Senden",
    hint: "Enter sendet, Umschalt+Enter für eine neue Zeile",
    welcome: "Hallo{name}! Ich bin der IT-Assistent. Beschreiben Sie Ihr Anliegen – oder schreiben Sie „Ich möchte mit einem Menschen sprechen“.",
    stateBot: "Assistent",
    stateQueued: "Wartet auf eine Person",
    statePosition: "Position {position}",
    stateMinutes: "ca. {minutes} Min.",
    stateAgent: "{agent} vom IT-Support",
    stateClosed: "Chat beendet – schreiben Sie einfach, um neu zu beginnen",
    you: "Sie",
    bot: "Assistent",
    support: "IT-Support",
    system: "Hinweis",
    typing: "{who} schreibt …",
    article: "Artikel",
    openArticle: "Ganzen Artikel öffnen",
    ticketUpdate: "Ticket {number}: {status}",
    ticketReply: "Antwort zu Ticket {number}",
    newChat: "Neuer Chat",
    sending: "wird gesendet …",
    notSent: "Nicht gesendet.",
    retry: "Erneut senden",
    connecting: "Verbinde …",
    retrying: "Verbindung unterbrochen – neuer Versuch in {seconds} s",
    offline: "Keine Netzverbindung. Verpasste Nachrichten kommen, sobald Sie wieder online sind.",
    unavailable: "Der IT Service Desk ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal oder rufen Sie intern 4357 an.",
    noLogin: "Die Anmeldung am IT Service Desk ist fehlgeschlagen. Bitte laden Sie die Seite neu.",
    tryAgain: "Noch einmal versuchen",
    unread: "{count} neue Nachricht(en)",
    status: {
      new: "neu",
      in_progress: "in Bearbeitung",
      on_hold: "wartet auf Ihre Rückmeldung",
      resolved: "gelöst",
      closed: "geschlossen",
      cancelled: "storniert",
    },
  },
  en: {
    launcher: "IT help",
    launcherLabel: "Chat with the IT assistant",
    title: "IT Service Desk",
    close: "Close chat",
    language: "Language",
    log: "Conversation",
    input: "Your message",
    placeholder: "Write a message …",
    send: "Send",
    hint: "Enter sends, Shift+Enter for a new line",
    welcome: "Hello{name}! I'm the IT assistant. Tell me what's wrong – or write “I'd like to talk to a person”.",
    stateBot: "Assistant",
    stateQueued: "Waiting for a person",
    statePosition: "position {position}",
    stateMinutes: "about {minutes} min",
    stateAgent: "{agent} from IT support",
    stateClosed: "Chat closed – just write to start again",
    you: "You",
    bot: "Assistant",
    support: "IT support",
    system: "Note",
    typing: "{who} is typing …",
    article: "Article",
    openArticle: "Open the whole article",
    ticketUpdate: "Ticket {number}: {status}",
    ticketReply: "Reply on ticket {number}",
    newChat: "New chat",
    sending: "sending …",
    notSent: "Not sent.",
    retry: "Send again",
    connecting: "Connecting …",
    retrying: "Connection lost – retrying in {seconds} s",
    offline: "You are offline. Missed messages arrive as soon as you are back online.",
    unavailable: "The IT Service Desk cannot be reached right now. Please try again in a moment or call internal 4357.",
    noLogin: "Signing in to the IT Service Desk failed. Please reload the page.",
    tryAgain: "Try again",
    unread: "{count} new message(s)",
    status: {
      new: "new",
      in_progress: "in progress",
      on_hold: "waiting for your reply",
      resolved: "resolved",
      closed: "closed",
      cancelled: "cancelled",
    },
  },
};

/** A translator for one locale: t("key", {values}). */
export function translator(locale) {
  const texts = TEXTS[locale] || TEXTS.de;
  const t = (key, values = {}) =>
    String(texts[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  t.status = (status) => texts.status[status] || status;
  t.locale = locale;
  return t;
}

/** data-locale, else the page's <html lang>, else the browser's languages; German by default. */
export function pickLocale(configured) {
  const candidates = [configured, document.documentElement.lang, ...(navigator.languages || [])];
  for (const candidate of candidates) {
    const short = String(candidate || "").slice(0, 2).toLowerCase();
    if (LOCALES.includes(short)) return short;
  }
  return "de";
}
