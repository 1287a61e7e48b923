// The employee's conversations on the server (GET /api/chat/conversations): which one to
// resume on any device, and the "Earlier conversations" list with read-only transcripts.

export class EarlierConversations {
  constructor({ client, view }) {
    this.client = client;
    this.view = view;
  }

  /** Newest first, at most 20; null when the service cannot say (the widget goes on without). */
  async list() {
    try {
      return (await this.client.conversations()).conversations;
    } catch {
      return null;
    }
  }

  /** The conversation to resume: this browser's while it is open, else the newest open one. */
  pick(listing, storedId) {
    if (!listing) return storedId;
    const stored = listing.find((c) => c.conversation_id === storedId);
    if (stored && stored.state !== "closed") return storedId;
    const open = listing.find((c) => c.state !== "closed");
    return open ? open.conversation_id : storedId;
  }

  show(listing, currentId) {
    if (listing) this.view.archive.setConversations(listing.filter((c) => c.conversation_id !== currentId));
  }

  async refresh(currentId) {
    this.show(await this.list(), currentId);
  }

  /** Show an earlier conversation's transcript, read-only. */
  async read(conversation, locale) {
    this.view.reading(true);
    this.view.archive.show(conversation);
    try {
      const transcript = await this.client.messages(conversation.conversation_id, 0);
      this.view.archive.fill(transcript.messages, (slug, lang) => this.client.articleUrl(slug, lang || locale));
    } catch {
      this.view.archive.failed();
    }
  }
}
