// The widget's texts in German and English, and which language to start in.

export const LOCALES = ["de", "en"];
// Dates and times as people here read them: German, or British English (never US dates).
const DATE_LOCALES = { de: "de-DE", en: "en-GB" };

export const TEXTS = {
  de: {
    launcher: "IT-Hilfe",
    launcherHint: "Chat mit dem IT-Assistenten",
    languageName: "Deutsch",
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
    buttonSpent: "Diese Auswahl gilt nicht mehr – bitte antworten Sie auf die letzte Frage.",
    noText: "Nicht gesendet: Die Nachricht enthält keinen Text.",
    connecting: "Verbinde …",
    retrying: "Verbindung unterbrochen – neuer Versuch in {seconds} s",
    offline: "Keine Netzverbindung. Verpasste Nachrichten kommen, sobald Sie wieder online sind.",
    unavailable: "Der IT Service Desk ist gerade nicht erreichbar. Bitte versuchen Sie es gleich noch einmal oder rufen Sie intern 4357 an.",
    noLogin: "Die Anmeldung am IT Service Desk ist fehlgeschlagen. Bitte laden Sie die Seite neu.",
    tryAgain: "Noch einmal versuchen",
    unread: "{count} neue Nachricht(en)",
    counter: "{count} / {max} Zeichen",
    tooLong: "Ihre Nachricht ist {over} Zeichen zu lang (höchstens {max}). Bitte kürzen Sie sie oder senden Sie sie in Teilen.",
    awaitingReply: "{number} wartet auf Ihre Antwort – Ihre nächste Nachricht geht an dieses Ticket.",
    awaitingSubject: "Worum es geht: {subject}",
    deskClosed: "Der IT Service Desk öffnet {when}",
    deskClosedNoTime: "Der IT Service Desk ist gerade nicht besetzt",
    deskUnstaffed: "Gerade ist niemand vom Service Desk online",
    today: "heute",
    tomorrow: "morgen",
    onDay: "am {day}",
    dayAt: "{day} um {time}",
    earlier: "Frühere Chats",
    earlierCount: "Frühere Chats ({count})",
    untitled: "(ohne Text)",
    tickets: "Tickets: {numbers}",
    readOnly: "Chat vom {date} – nur zum Lesen",
    back: "Zurück zum aktuellen Chat",
    loadingHistory: "Lade den Chat …",
    historyFailed: "Dieser Chat lässt sich gerade nicht laden.",
    attach: "Datei oder Screenshot anhängen",
    toSend: "Wird mit der nächsten Nachricht gesendet",
    removeFile: "{name} entfernen",
    uploading: "{name} wird hochgeladen",
    fileTooLarge: "„{name}“ ist zu groß. Bitte senden Sie eine kleinere Datei, zum Beispiel nur einen Ausschnitt.",
    fileNotAccepted: "„{name}“ kann nicht angenommen werden. Möglich sind Bilder (PNG, JPEG, GIF, WebP), PDF sowie Text- und Logdateien.",
    fileEmpty: "„{name}“ ist leer und wurde nicht gesendet.",
    fileClosedChat: "Dieser Chat ist beendet. Schreiben Sie zuerst eine Nachricht, dann können Sie „{name}“ senden.",
    fileNotSent: "„{name}“ wurde nicht gesendet. Bitte versuchen Sie es noch einmal.",
    openImage: "Bild {name} ({size}) vergrößern",
    closeImage: "Schließen",
    rateQuestion: "Wie zufrieden sind Sie mit der Hilfe in diesem Chat?",
    score1: "sehr unzufrieden",
    score2: "unzufrieden",
    score3: "teils, teils",
    score4: "zufrieden",
    score5: "sehr zufrieden",
    rateComment: "Möchten Sie uns noch etwas sagen? (freiwillig)",
    rateSend: "Bewertung senden",
    rateSkip: "Nicht jetzt",
    ratePick: "Bitte wählen Sie eine Bewertung von 1 bis 5.",
    rateFailed: "Die Bewertung wurde nicht gesendet. Bitte versuchen Sie es noch einmal.",
    rateThanks: "Danke für Ihre Bewertung!",
    problemsLabel: "Bekannte Störungen",
    dismissProblem: "Hinweis ausblenden",
    dismissProblems: "Hinweise ausblenden",
    status: {
      new: "Neu",
      in_progress: "In Bearbeitung",
      on_hold: "Wartet auf Ihre Rückmeldung",
      resolved: "Gelöst",
      closed: "Geschlossen",
      cancelled: "Storniert",
    },
  },
  en: {
    launcher: "IT help",
    launcherHint: "Chat with the IT assistant",
    languageName: "English",
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
    buttonSpent: "This choice is no longer open – please answer the latest question.",
    noText: "Not sent: the message has no text.",
    connecting: "Connecting …",
    retrying: "Connection lost – retrying in {seconds} s",
    offline: "You are offline. Missed messages arrive as soon as you are back online.",
    unavailable: "The IT Service Desk cannot be reached right now. Please try again in a moment or call internal 4357.",
    noLogin: "Signing in to the IT Service Desk failed. Please reload the page.",
    tryAgain: "Try again",
    unread: "{count} new message(s)",
    counter: "{count} / {max} characters",
    tooLong: "Your message is {over} characters too long (at most {max}). Please shorten it or send it in parts.",
    awaitingReply: "{number} is waiting for your reply – your next message goes to that ticket.",
    awaitingSubject: "About: {subject}",
    deskClosed: "The IT Service Desk opens {when}",
    deskClosedNoTime: "The IT Service Desk is not staffed right now",
    deskUnstaffed: "Nobody from the service desk is online right now",
    today: "today",
    tomorrow: "tomorrow",
    onDay: "on {day}",
    dayAt: "{day} at {time}",
    earlier: "Earlier conversations",
    earlierCount: "Earlier conversations ({count})",
    untitled: "(no text)",
    tickets: "Tickets: {numbers}",
    readOnly: "Conversation of {date} – read only",
    back: "Back to the current conversation",
    loadingHistory: "Loading the conversation …",
    historyFailed: "This conversation cannot be loaded right now.",
    attach: "Attach a file or screenshot",
    toSend: "Sent with your next message",
    removeFile: "Remove {name}",
    uploading: "Uploading {name}",
    fileTooLarge: "“{name}” is too large. Please send a smaller file, for example just part of the screen.",
    fileNotAccepted: "“{name}” cannot be accepted. Images (PNG, JPEG, GIF, WebP), PDF and text or log files are possible.",
    fileEmpty: "“{name}” is empty and was not sent.",
    fileClosedChat: "This chat has ended. Write a message first, then you can send “{name}”.",
    fileNotSent: "“{name}” was not sent. Please try again.",
    openImage: "Enlarge image {name} ({size})",
    closeImage: "Close",
    rateQuestion: "How satisfied are you with the help in this chat?",
    score1: "very dissatisfied",
    score2: "dissatisfied",
    score3: "neither",
    score4: "satisfied",
    score5: "very satisfied",
    rateComment: "Anything else you would like to tell us? (optional)",
    rateSend: "Send rating",
    rateSkip: "Not now",
    ratePick: "Please choose a rating from 1 to 5.",
    rateFailed: "The rating was not sent. Please try again.",
    rateThanks: "Thank you for your rating!",
    problemsLabel: "Known problems",
    dismissProblem: "Hide this notice",
    dismissProblems: "Hide these notices",
    status: {
      new: "New",
      in_progress: "In progress",
      on_hold: "Waiting for your reply",
      resolved: "Resolved",
      closed: "Closed",
      cancelled: "Cancelled",
    },
  },
};

/** A translator for one locale: t("key", {values}). */
export function translator(locale) {
  const texts = TEXTS[locale] || TEXTS.de;
  const t = (key, values = {}) =>
    String(texts[key] ?? key).replace(/\{(\w+)\}/g, (_, name) => values[name] ?? "");
  t.status = (status) => texts.status[status] || status;
  t.locale = texts === TEXTS.en ? "en" : "de";
  t.dateLocale = DATE_LOCALES[t.locale];
  t.date = (iso) => new Date(iso).toLocaleDateString(t.dateLocale, { dateStyle: "medium" });
  t.time = (iso) => new Date(iso).toLocaleTimeString(t.dateLocale, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  t.opensAt = (iso) => opensAt(t, iso);
  t.in = (other) => translator(other);
  return t;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** "heute um 07:00", "am Montag um 07:00", "on 2 Jan 2027 at 07:00": when the desk opens. */
function opensAt(t, iso, now = new Date()) {
  const when = new Date(iso);
  if (Number.isNaN(when.getTime())) return "";
  const midnight = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const days = Math.round((midnight(when) - midnight(now)) / DAY_MS);
  let day;
  if (days <= 0) day = t("today");
  else if (days === 1) day = t("tomorrow");
  else if (days < 7) day = t("onDay", { day: when.toLocaleDateString(t.dateLocale, { weekday: "long" }) });
  else day = t("onDay", { day: t.date(iso) });
  return t("dayAt", { day, time: t.time(iso) });
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
