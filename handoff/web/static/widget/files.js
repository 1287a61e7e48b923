// Attachments in the widget's messages: images as thumbnails (loaded with the employee's
// token, shown as data: URLs, which host pages allow more often than blob:), a full-size
// view in a dialog that Esc closes, and other files as a named link that downloads them.

import { h } from "../shared/dom.js";

const UNITS = ["B", "KB", "MB", "GB"];

/** "1,2 MB" / "1.2 MB": a size people read at a glance. */
export function fileSize(bytes, t) {
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const digits = unit === 0 || value >= 10 ? 0 : 1;
  return `${value.toLocaleString(t.dateLocale, { maximumFractionDigits: digits })} ${UNITS[unit]}`;
}

export const isImage = (type) => /^image\/(png|jpeg|gif|webp)$/.test(String(type || ""));

/** A Blob or File as a data: URL. */
export function dataUrl(blob) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** The full-size view: a modal <dialog> (Esc and the close button close it). */
export class ImageViewer {
  constructor() {
    this.image = h("img", { class: "full", alt: "" });
    this.closeButton = h("button", { type: "button", class: "close-image", onclick: () => this.dialog.close() });
    this.dialog = h("dialog", { class: "viewer" }, this.closeButton, this.image);
    // Esc closes only the picture, never the chat panel around it.
    this.dialog.addEventListener("keydown", (event) => event.key === "Escape" && event.stopPropagation());
    this.dialog.addEventListener("close", () => this.opener?.focus());
  }

  applyTexts(t) {
    this.closeButton.textContent = t("closeImage");
  }

  show(src, name, opener) {
    this.opener = opener;
    this.image.src = src;
    this.image.alt = name;
    this.dialog.setAttribute("aria-label", name);
    this.dialog.showModal();
    this.closeButton.focus();
  }
}

function thumbnail(file, t, { load, viewer }) {
  const image = h("img", { alt: "" });
  const button = h("button", { type: "button", class: "thumb", "aria-label": t("openImage", { name: file.name, size: fileSize(file.size, t) }) }, image);
  const source = load(file.url).then(dataUrl);
  source.then((src) => (image.src = src)).catch(() => button.replaceChildren(file.name));
  button.addEventListener("click", () => source.then((src) => viewer.show(src, file.name, button)).catch(() => {}));
  return button;
}

function download(file, t, { load }) {
  const link = h("a", { href: "#", class: "file", download: file.name }, `${file.name} (${fileSize(file.size, t)})`);
  link.addEventListener("click", async (event) => {
    event.preventDefault();
    const url = URL.createObjectURL(await load(file.url));
    const save = h("a", { href: url, download: file.name, hidden: true });
    link.after(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  });
  return link;
}

/** The attachments of one message; without a loader (no token) only their names and sizes. */
export function attachmentNodes(files, t, loader) {
  const list = h("ul", { class: "files" });
  for (const file of files) {
    let node;
    if (!loader) node = `${file.name} (${fileSize(file.size, t)})`;
    else node = isImage(file.content_type) ? thumbnail(file, t, loader) : download(file, t, loader);
    list.append(h("li", {}, node));
  }
  return list;
}
