// Known problems (major incidents) at the top of the widget: "VPN: Störung seit 09:10 …",
// in the widget's language, dismissible; a dismissed problem stays hidden on this browser.

import { h } from "../shared/dom.js";

export class ProblemBanner {
  /** o: client (problems, load, save), t() -> the current translator */
  constructor({ client, t }) {
    Object.assign(this, { client, t });
    this.problems = [];
    this.list = h("ul", {});
    this.dismissButton = h("button", { type: "button", class: "link dismiss", onclick: () => this.dismiss() });
    this.section = h("section", { class: "problems", role: "status", hidden: true }, this.list, this.dismissButton);
  }

  /** Ask the service for open problems in this language (an older service has none). */
  async refresh(locale) {
    try {
      this.problems = await this.client.problems(locale);
    } catch {
      this.problems = [];
    }
    this.render();
  }

  visible() {
    const dismissed = this.client.load().dismissedProblems || [];
    return (this.problems || []).filter((p) => p && p.notice && !dismissed.includes(p.id));
  }

  render() {
    const t = this.t();
    const shown = this.visible();
    this.section.hidden = !shown.length;
    this.section.setAttribute("aria-label", t("problemsLabel"));
    this.list.replaceChildren(
      ...shown.map((p) => h("li", {}, h("strong", {}, p.title), " ", h("span", { class: "plain" }, p.notice))),
    );
    this.dismissButton.textContent = t(shown.length > 1 ? "dismissProblems" : "dismissProblem");
  }

  dismiss() {
    const ids = this.visible().map((p) => p.id);
    const dismissed = this.client.load().dismissedProblems || [];
    this.client.save({ dismissedProblems: [...dismissed, ...ids].slice(-50) });
    this.render();
  }
}
