// The widget's connection to the helpdesk: the employee token, the chat REST API, the
// socket URL, and what survives a reload (localStorage on the intranet page's origin).

export class HttpError extends Error {
  constructor(status, detail) {
    super(`HTTP ${status}: ${detail}`);
    this.status = status;
    this.detail = detail;
  }
}

/** Where the employee token comes from: data-token, a page function, or (dev) an endpoint. */
function tokenSource(config) {
  if (config.tokenFunction) {
    return async () => {
      const fn = window[config.tokenFunction];
      if (typeof fn !== "function") throw new HttpError(401, `no function ${config.tokenFunction}`);
      return String(await fn());
    };
  }
  if (config.token) return async () => config.token;
  if (config.tokenEndpoint) {
    return async () => {
      const response = await fetch(new URL(config.tokenEndpoint, config.base + "/"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: config.employeeEmail, name: config.employeeName }),
      });
      if (!response.ok) throw new HttpError(response.status, "token endpoint refused");
      return (await response.json()).token;
    };
  }
  return async () => {
    throw new HttpError(401, "no employee token configured (data-token or data-token-function)");
  };
}

/** The token's claims, read without checking them: only to key local storage and greet. */
function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

/** POST a file with XMLHttpRequest (fetch cannot report upload progress). */
function sendFile(url, token, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.responseType = "json";
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && onProgress) onProgress(event.loaded / event.total);
    };
    xhr.onload = () => resolve({ status: xhr.status, body: xhr.response });
    xhr.onerror = () => reject(new HttpError(0, "network error"));
    const form = new FormData();
    form.append("file", file, file.name || "file");
    xhr.send(form);
  });
}

export class ChatClient {
  constructor(config) {
    this.base = config.base;
    this.fetchToken = tokenSource(config);
    this.tokenValue = null;
    this.identity = config.employeeEmail || "";
    this.name = config.employeeName || "";
  }

  async token(refresh = false) {
    if (!this.tokenValue || refresh) {
      this.tokenValue = await this.fetchToken();
      const claims = claimsOf(this.tokenValue);
      this.identity = this.identity || claims.sub || "";
      this.name = this.name || claims.name || "";
    }
    return this.tokenValue;
  }

  /** JSON request with the bearer token; a 401 fetches a new token and tries once more. */
  async request(method, path, body, retried = false) {
    const token = await this.token();
    let response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw new HttpError(0, "network error");
    }
    if (response.status === 401 && !retried) {
      await this.token(true);
      return this.request(method, path, body, true);
    }
    if (!response.ok) {
      let detail = response.statusText;
      try {
        detail = (await response.json()).detail || detail;
      } catch {
        /* not JSON */
      }
      throw new HttpError(response.status, detail);
    }
    return response.status === 204 ? null : response.json();
  }

  conversations() {
    return this.request("GET", "/api/chat/conversations");
  }

  createSession(locale) {
    return this.request("POST", "/api/chat/sessions", { locale });
  }

  readSession(id) {
    return this.request("GET", `/api/chat/sessions/${encodeURIComponent(id)}`);
  }

  setLocale(id, locale) {
    return this.request("PATCH", `/api/chat/sessions/${encodeURIComponent(id)}`, { locale });
  }

  messages(id, after = 0) {
    return this.request("GET", `/api/chat/sessions/${encodeURIComponent(id)}/messages?after=${after}`);
  }

  send(id, text, payload, files = 0) {
    const body = payload ? { text, payload } : { text };
    if (files) body.files = files;
    return this.request("POST", `/api/chat/sessions/${encodeURIComponent(id)}/messages`, body);
  }

  rate(id, score, comment) {
    return this.request("POST", `/api/chat/sessions/${encodeURIComponent(id)}/rating`, { score, comment });
  }

  problems(locale) {
    return this.request("GET", `/api/chat/problems?locale=${locale === "en" ? "en" : "de"}`);
  }

  /** Upload one file (multipart field `file`) with progress; a 401 renews the token once. */
  async upload(id, file, onProgress, retried = false) {
    const token = await this.token();
    const url = `${this.base}/api/chat/sessions/${encodeURIComponent(id)}/attachments`;
    const { status, body } = await sendFile(url, token, file, onProgress);
    if (status === 401 && !retried) {
      await this.token(true);
      return this.upload(id, file, onProgress, true);
    }
    if (status < 200 || status >= 300) throw new HttpError(status, (body && body.detail) || "upload failed");
    return body;
  }

  /** An attachment's bytes (the bearer token says who asks), always from this helpdesk. */
  async blob(url) {
    const token = await this.token();
    const path = new URL(url, this.base + "/").pathname;
    if (!path.startsWith("/api/attachments/")) throw new HttpError(404, "not an attachment");
    const response = await fetch(this.base + path, { headers: { Authorization: `Bearer ${token}` } });
    if (!response.ok) throw new HttpError(response.status, "attachment not available");
    return response.blob();
  }

  async socketUrl(id, after) {
    const url = new URL(`/ws/chat/${encodeURIComponent(id)}`, this.base + "/");
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", await this.token());
    url.searchParams.set("after", String(after));
    return url.href;
  }

  articleUrl(slug, locale) {
    return `${this.base}/kb/${encodeURIComponent(slug)}?lang=${locale}`;
  }

  // --- what survives a reload, per helpdesk and employee ---
  _key() {
    return `helpdesk-widget:${this.base}:${this.identity || "anonymous"}`;
  }

  load() {
    try {
      return JSON.parse(localStorage.getItem(this._key()) || "{}");
    } catch {
      return {};
    }
  }

  save(values) {
    try {
      localStorage.setItem(this._key(), JSON.stringify({ ...this.load(), ...values }));
    } catch {
      /* storage disabled: the chat still works, only without restore */
    }
  }
}
