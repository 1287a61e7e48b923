// Files waiting to be sent: the paper-clip button (a file input behind it; on phones the
// picker offers the camera and photos for the image types), pasted and dropped files, a
// preview with a remove button each, upload progress and a clear message when refused.

import { h, svgIcon } from "../shared/dom.js";
import { dataUrl, fileSize, isImage } from "./files.js";

export const ACCEPT = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain,.log,.txt";
const CLIP = "M16.5 6.5v10a4.5 4.5 0 0 1-9 0V5a3 3 0 0 1 6 0v10.5a1.5 1.5 0 0 1-3 0V6.5H9v9a3 3 0 0 0 6 0V5a4.5 4.5 0 0 0-9 0v11.5a6 6 0 0 0 12 0v-10z";
// The service's answers to a refused file, and what the employee is told.
const REFUSED = { 413: "fileTooLarge", 415: "fileNotAccepted", 422: "fileEmpty", 409: "fileClosedChat" };


export class AttachPicker {
  constructor() {
    this.files = [];
    // Rendered but out of sight: Chrome opens no picker for a display:none input from Enter.
    this.input = h("input", { type: "file", accept: ACCEPT, class: "sr-only", tabindex: "-1", "aria-hidden": "true" });
    this.buttonText = h("span", { class: "sr-only" });
    this.button = h("button", { type: "button", class: "attach", onclick: () => this.input.click() }, svgIcon(CLIP), this.buttonText);
    this.input.addEventListener("change", () => {
      this.add([...this.input.files]);
      this.input.value = "";
    });
    this.preview = h("ul", { class: "pending-files", hidden: true });
    this.progress = h("progress", { max: "100", value: "0", hidden: true });
    this.error = h("p", { class: "limit", role: "alert", hidden: true });
    this.section = h("div", { class: "attachments" }, this.preview, this.progress, this.error);
  }

  applyTexts(t) {
    this.t = t;
    this.buttonText.textContent = t("attach");
    this.input.setAttribute("aria-label", t("attach"));
    this.button.title = t("attach");
    this.preview.setAttribute("aria-label", t("toSend"));
    this.render();
  }

  /** Files to send with the next message (picked, pasted or dropped). */
  add(files) {
    if (!files.length) return;
    this.showError("");
    this.files = [...this.files, ...files];
    this.render();
  }

  remove(file, focusAfter = true) {
    this.files = this.files.filter((f) => f !== file);
    this.render();
    if (focusAfter) this.button.focus();
  }

  render() {
    if (!this.t) return;
    this.preview.hidden = !this.files.length;
    this.preview.replaceChildren(...this.files.map((file) => this.item(file)));
  }

  item(file) {
    const name = file.name || "file";
    const label = `${name} (${fileSize(file.size, this.t)})`;
    const thumb = h("img", { alt: "", class: "preview" });
    if (isImage(file.type)) dataUrl(file).then((src) => (thumb.src = src)).catch(() => thumb.remove());
    const remove = h("button", { type: "button", class: "remove", "aria-label": this.t("removeFile", { name }), title: this.t("removeFile", { name }) }, "×");
    remove.addEventListener("click", () => this.remove(file));
    return h("li", {}, isImage(file.type) ? thumb : null, h("span", { class: "file-name" }, label), remove);
  }

  /** Upload every waiting file in turn; false (and a message) when one was not taken. */
  async upload(send) {
    for (const file of [...this.files]) {
      const name = file.name || "file";
      this.progress.hidden = false;
      this.progress.value = 0;
      this.progress.setAttribute("aria-label", this.t("uploading", { name }));
      try {
        await send(file, (fraction) => (this.progress.value = Math.round(fraction * 100)));
        this.remove(file, false);
      } catch (error) {
        const refused = REFUSED[error.status];
        this.showError(this.t(refused || "fileNotSent", { name }));
        if (refused && error.status !== 409) this.remove(file, false); // it will never be taken
        return false;
      } finally {
        this.progress.hidden = true;
      }
    }
    return true;
  }

  showError(text) {
    this.error.hidden = !text;
    this.error.textContent = text;
  }
}

/** The files in a paste or a drop (screenshots come as image files). */
export function filesOf(transfer) {
  return transfer ? [...(transfer.files || [])] : [];
}
