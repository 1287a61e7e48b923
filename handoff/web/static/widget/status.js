// What the header's state line and the awaiting-reply notice say: who has the chat, the
// place in the queue (only while an agent is online: a place in line nobody serves is a
// promise the desk cannot keep), when the desk opens, and which ticket waits for the
// employee's reply.

const FIELDS = ["state", "agent", "position", "minutes", "deskOpen", "deskStaffed", "opensAt", "awaiting"];

export class ChatStatus {
  constructor() {
    this.state = "bot";
    this.agent = null;
    this.position = null;
    this.minutes = null;
    this.deskOpen = true;
    this.deskStaffed = true; // an agent is online (the service says so while the chat waits)
    this.opensAt = null;
    this.awaiting = null; // {number, subject} of a ticket waiting for the employee's reply
  }

  /** Take the known fields of `partial` (undefined ones are left as they are). */
  update(partial) {
    for (const name of FIELDS) if (partial[name] !== undefined) this[name] = partial[name];
    if (this.state !== "queued") Object.assign(this, { position: null, minutes: null });
    if (this.state !== "agent") this.agent = null;
  }

  /** The fields of a conversation object (POST/GET/PATCH /api/chat/sessions). */
  static fromSession(session) {
    return {
      state: session.state,
      agent: session.agent ?? null,
      position: session.queue_position ?? null,
      ...ChatStatus.fromDesk(session.desk),
      awaiting: session.awaiting_reply === undefined ? undefined : session.awaiting_reply,
    };
  }

  static fromDesk(desk) {
    if (!desk) return {};
    const staffed = typeof desk.staffed === "boolean" ? desk.staffed : undefined; // not asked
    return { deskOpen: desk.open !== false, deskStaffed: staffed, opensAt: desk.opens_at ?? null };
  }

  /** The state line: "Wartet auf eine Person – Position 2 (ca. 5 Min.)" and the like. */
  text(t) {
    if (this.state === "agent") return t("stateAgent", { agent: this.agent || t("support") });
    if (this.state === "closed") return t("stateClosed");
    if (this.state !== "queued") return t("stateBot");
    let text = t("stateQueued");
    if (!this.deskOpen) {
      const when = this.opensAt ? t.opensAt(this.opensAt) : "";
      return `${text} – ${when ? t("deskClosed", { when }) : t("deskClosedNoTime")}`;
    }
    if (!this.deskStaffed) return `${text} – ${t("deskUnstaffed")}`;
    if (this.position) text += ` – ${t("statePosition", { position: this.position })}`;
    if (this.minutes) text += ` (${t("stateMinutes", { minutes: this.minutes })})`;
    return text;
  }

  awaitingText(t) {
    return this.awaiting && this.awaiting.number ? t("awaitingReply", { number: this.awaiting.number }) : "";
  }
}
