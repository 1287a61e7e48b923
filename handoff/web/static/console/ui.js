// Small console helpers: toasts, the new-chat alert (banner, title badge, optional beep),
// labels, and times.

import { h } from "../shared/dom.js";
import { post } from "./api.js";

export function toast(text, kind = "info") {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h("p", { class: `toast ${kind}`, role: kind === "error" ? "alert" : null }, text);
  region.append(item);
  setTimeout(() => item.remove(), kind === "error" ? 9000 : 5000);
}

/** The logout button of a staff page: end the session, then go to `target`. */
export function wireLogout(target) {
  document.getElementById("logout")?.addEventListener("click", async () => {
    try {
      await post("/api/auth/logout");
    } catch (error) {
      if (error.status !== 401) toast(`Logout failed: ${error.message}`, "error");
      return;
    }
    location.assign(target);
  });
}

export const PRIORITY = { 1: "P1 critical", 2: "P2 high", 3: "P3 medium", 4: "P4 low" };
export const STATUSES = ["new", "in_progress", "on_hold", "resolved", "closed", "cancelled"];
export const LEVELS = ["low", "medium", "high"];
export const CATEGORIES = ["account", "collaboration", "email", "general", "hardware", "mobile", "network", "security", "software"];
export const REASONS = {
  requested: "asked for a person",
  low_confidence: "bot unsure",
  negative_feedback: "answer did not help",
};

// What people read instead of the API's raw values.
export const STATUS_LABELS = {
  new: "New",
  in_progress: "In progress",
  on_hold: "On hold (waiting for the requester)",
  resolved: "Resolved",
  closed: "Closed",
  cancelled: "Cancelled",
};
export const STATE_LABELS = { bot: "With the bot", queued: "Waiting in the queue", agent: "With an agent", closed: "Closed" };
const WORDS = { low: "Low", medium: "Medium", high: "High" };

/** A person's label for a raw value: a status, a state, a level or a category. */
export function label(value) {
  if (value === null || value === undefined || value === "") return "";
  const text = STATUS_LABELS[value] || WORDS[value];
  return text || String(value).charAt(0).toUpperCase() + String(value).slice(1).replace(/_/g, " ");
}

/** Who did it, by name: "agent:anna" is Anna Schmidt (the API's name when it sends one). */
export function actorName(actor, name, requester) {
  if (name) return name;
  const raw = String(actor || "");
  if (raw === "bot") return "Bot";
  if (raw === "requester" && requester) return requester;
  if (raw.startsWith("agent:")) {
    const username = raw.slice("agent:".length);
    return username === document.body.dataset.user ? document.body.dataset.userName || username : username;
  }
  return label(raw);
}

// Dates as the agent reads them: German or British order, never US month-first.
export const DATE_LOCALE = (navigator.language || "").toLowerCase().startsWith("de") ? "de-DE" : "en-GB";

export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(DATE_LOCALE, { dateStyle: "medium", timeStyle: "short", hourCycle: "h23" });
}

export function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${m}:${String(s % 60).padStart(2, "0")}`;
}

/** The alert when a chat starts waiting: a visible banner, the title badge, a beep if on. */
export class Alerter {
  constructor({ region, toggle }) {
    this.region = region;
    this.toggle = toggle;
    this.baseTitle = document.title;
    this.audio = null;
    toggle.checked = localStorage.getItem("console-sound") === "on";
    toggle.addEventListener("change", () => {
      localStorage.setItem("console-sound", toggle.checked ? "on" : "off");
      if (toggle.checked) this.beep(); // also unlocks audio: this is a user gesture
    });
  }

  waiting(count) {
    document.title = count ? `(${count}) ${this.baseTitle}` : this.baseTitle;
  }

  /** Show the alert about one waiting chat (replacing an older one). */
  show(text, action, conversationId) {
    this.about = conversationId;
    const close = h("button", { type: "button", class: "link-button", "aria-label": "Dismiss alert" }, "×");
    const banner = h("div", { class: "alert" }, h("strong", {}, text), action, close);
    close.addEventListener("click", () => banner.remove());
    this.region.replaceChildren(banner);
    if (this.toggle.checked) this.beep();
  }

  dismiss() {
    this.about = null;
    this.region.replaceChildren();
  }

  /** Drop the alert once its chat is no longer waiting (claimed by anyone). */
  stillWaiting(ids) {
    if (this.about && !ids.includes(this.about)) this.dismiss();
  }

  beep() {
    try {
      this.audio = this.audio || new AudioContext();
      const now = this.audio.currentTime;
      for (const [offset, freq] of [[0, 880], [0.18, 1175]]) {
        const osc = this.audio.createOscillator();
        const gain = this.audio.createGain();
        osc.frequency.value = freq;
        gain.gain.setValueAtTime(0.0001, now + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.15);
        osc.connect(gain).connect(this.audio.destination);
        osc.start(now + offset);
        osc.stop(now + offset + 0.16);
      }
    } catch {
      /* no audio here: the banner and the title still tell */
    }
  }
}

/** Is a key press meant for a text field rather than a console shortcut? */
export function typingInField(event) {
  const el = event.target;
  return el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
}
