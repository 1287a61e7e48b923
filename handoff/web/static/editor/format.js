// Small formatting helpers shared by the editor pages.

import { h } from "../shared/dom.js";

export function when(iso) {
  if (!iso) return "";
  const date = new Date(/[zZ]|[+-]\d\d:\d\d$/.test(iso) ? iso : `${iso}Z`);
  return date.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export const percent = (share) => (share === null || share === undefined ? "–" : `${(share * 100).toFixed(1)} %`);

export const number = (value, digits = 3) => (value === null || value === undefined ? "–" : Number(value).toFixed(digits));

/** A <time> element showing an ISO date in the reader's time zone. */
export function timeNode(iso) {
  return h("time", { datetime: iso || "" }, when(iso));
}

/** A state badge: the word is always there, the colour only repeats it. */
export function badge(state, label = state) {
  return h("span", { class: `status-badge ${state}` }, label);
}

/** A slug from free text: "Wie verbinde ich den Beamer?" -> "wie-verbinde-ich-den-beamer". */
export function slugify(text, limit = 60) {
  const base = String(text)
    .toLowerCase()
    .replace(/ä/g, "ae")
    .replace(/ö/g, "oe")
    .replace(/ü/g, "ue")
    .replace(/ß/g, "ss")
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return base.slice(0, limit).replace(/-+$/g, "") || "article";
}
