// An article's version history: who saved what when (with the note), the diff between
// any two versions, and restoring an old version as the newest one.

import { h, replace } from "../shared/dom.js";
import { toast } from "../console/ui.js";
import { enc, get, post } from "./api.js";
import { badge, timeNode } from "./format.js";

const $ = (id) => document.getElementById(id);

function diffLine(line) {
  let kind = "same";
  if (line.startsWith("+++") || line.startsWith("---")) kind = "file";
  else if (line.startsWith("@@")) kind = "hunk";
  else if (line.startsWith("+")) kind = "added";
  else if (line.startsWith("-")) kind = "removed";
  const label = { added: "added: ", removed: "removed: " }[kind];
  return h("span", { class: `diff-line ${kind}` }, label ? h("span", { class: "visually-hidden" }, label) : null, line, "\n");
}

export class History {
  /** @param {{slug: string, onRestored: Function, isDirty: Function}} o */
  constructor({ slug, onRestored, isDirty }) {
    this.slug = slug;
    this.onRestored = onRestored;
    this.isDirty = isDirty;
    this.list = $("versions");
    this.diff = $("diff");
    $("diff-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.show(Number($("diff-from").value), Number($("diff-to").value));
    });
  }

  async load() {
    let versions;
    try {
      ({ versions } = await get(`/api/kb/articles/${enc(this.slug)}/versions`));
    } catch (error) {
      if (error.status !== 401) toast(`Could not load the versions: ${error.message}`, "error");
      return;
    }
    const newest = versions[0]?.number;
    replace(this.list, versions.map((version) => this.item(version, newest)));
    for (const [select, chosen] of [
      [$("diff-from"), versions[1]?.number ?? newest],
      [$("diff-to"), newest],
    ]) {
      replace(select, versions.map((v) => h("option", { value: v.number }, `version ${v.number}`)));
      select.value = String(chosen);
    }
  }

  item(version, newest) {
    const actions = [];
    if (version.number > 1) {
      actions.push(
        h("button", { type: "button", class: "small", onclick: () => this.show(version.number - 1, version.number) }, `Changes in version ${version.number}`),
      );
    }
    if (version.number !== newest) {
      actions.push(h("button", { type: "button", class: "small", onclick: () => this.restore(version.number) }, `Restore version ${version.number}`));
    }
    return h(
      "li",
      { class: "version", value: version.number },
      h(
        "p",
        { class: "version-head" },
        h("strong", {}, `Version ${version.number}`),
        version.published ? [" ", badge("published")] : null,
        ` · ${version.author} · `,
        timeNode(version.created_at),
      ),
      version.note ? h("p", { class: "note plain" }, version.note) : null,
      actions.length ? h("div", { class: "row" }, actions) : null,
    );
  }

  async show(from, to) {
    try {
      const result = await get(`/api/kb/articles/${enc(this.slug)}/diff?from=${from}&to=${to}`);
      const lines = result.diff ? result.diff.split("\n") : [];
      replace(this.diff, lines.length ? lines.map(diffLine) : `Versions ${from} and ${to} have the same content.`);
      this.diff.setAttribute("aria-label", `Differences between version ${from} and version ${to}`);
      this.diff.hidden = false;
      this.diff.focus();
    } catch (error) {
      toast(`No diff: ${error.message}`, "error");
    }
  }

  async restore(number) {
    if (this.isDirty() && !confirm("Restoring replaces your unsaved changes in the form. Go on?")) return;
    try {
      const article = await post(`/api/kb/articles/${enc(this.slug)}/versions/${number}/restore`, {});
      this.onRestored(article, number);
      await this.load();
    } catch (error) {
      toast(`Not restored: ${error.message}`, "error");
    }
  }
}
