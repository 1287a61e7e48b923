// A WebSocket that comes back: exponential backoff with jitter, a heartbeat that notices
// dead connections, and the browser's online/offline events. The URL is asked for anew on
// every attempt, so it can carry the current `after=<last seq>`.

const DELAYS = [1, 2, 4, 8, 15, 30]; // seconds
const FATAL = new Set([4401, 4403, 4404]);

export class LiveSocket {
  /**
   * @param {object} o
   * @param {() => Promise<string>|string} o.url  where to connect now
   * @param {(event: object) => void} o.onEvent  every JSON frame from the server
   * @param {(status: string, detail?: object) => void} [o.onStatus]
   *   "connecting" | "open" | "retrying" (detail.seconds) | "offline" | "stopped"
   * @param {(code: number) => void} [o.onFatal]  auth/not-found closes: stopped; start() again
   * @param {() => void} [o.onOpen]  after every (re)connect
   */
  constructor({ url, onEvent, onStatus = () => {}, onFatal = () => {}, onOpen = () => {}, heartbeat = 20000 }) {
    Object.assign(this, { url, onEvent, onStatus, onFatal, onOpen, heartbeat });
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.pinger = null;
    this.running = false;
    this.lastFrame = 0;
    this._online = () => this.reconnectNow();
    this._offline = () => this._drop("offline");
  }

  start() {
    if (this.running) return;
    this.running = true;
    window.addEventListener("online", this._online);
    window.addEventListener("offline", this._offline);
    this._connect();
  }

  stop() {
    this.running = false;
    window.removeEventListener("online", this._online);
    window.removeEventListener("offline", this._offline);
    clearTimeout(this.timer);
    this._close();
    this.onStatus("stopped");
  }

  get isOpen() {
    return !!this.ws && this.ws.readyState === WebSocket.OPEN;
  }

  send(frame) {
    if (!this.isOpen) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  reconnectNow() {
    if (!this.running) return;
    clearTimeout(this.timer);
    this.attempt = 0;
    if (!this.isOpen) {
      this._close();
      this._connect();
    }
  }

  async _connect() {
    if (!this.running) return;
    if (navigator.onLine === false) {
      this.onStatus("offline");
      return; // the online event brings us back
    }
    this.onStatus("connecting");
    let target;
    try {
      target = await this.url();
    } catch (error) {
      this._retry();
      return;
    }
    if (!this.running) return;
    const ws = new WebSocket(target);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.lastFrame = Date.now();
      this._beat();
      this.onStatus("open");
      this.onOpen();
    };
    ws.onmessage = (message) => {
      this.lastFrame = Date.now();
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      if (event.type !== "pong") this.onEvent(event);
    };
    ws.onclose = (close) => {
      if (this.ws !== ws) return;
      this._close();
      if (FATAL.has(close.code)) {
        this.stop(); // the owner decides: new token, new conversation, or the login page
        this.onFatal(close.code);
      } else this._retry();
    };
  }

  _beat() {
    clearInterval(this.pinger);
    this.pinger = setInterval(() => {
      if (Date.now() - this.lastFrame > this.heartbeat * 2.5) this._drop("retrying");
      else this.send({ type: "ping" });
    }, this.heartbeat);
  }

  _drop(status) {
    this._close();
    if (status === "offline") this.onStatus("offline");
    else this._retry();
  }

  _close() {
    clearInterval(this.pinger);
    const ws = this.ws;
    this.ws = null;
    if (ws) {
      ws.onopen = ws.onmessage = ws.onclose = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  }

  _retry() {
    if (!this.running) return;
    clearTimeout(this.timer);
    const base = DELAYS[Math.min(this.attempt, DELAYS.length - 1)];
    const seconds = Math.round(base * (1 + Math.random() * 0.3) * 10) / 10;
    this.attempt += 1;
    this.onStatus("retrying", { seconds });
    this.timer = setTimeout(() => this._connect(), seconds * 1000);
  }
}
