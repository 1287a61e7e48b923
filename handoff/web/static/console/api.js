// The agent API from console pages: the session cookie travels along; every changing
// request carries the CSRF token from the readable helpdesk_csrf cookie.

export class ApiError extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)helpdesk_csrf=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

export function loginUrl() {
  const here = location.pathname + location.search + location.hash;
  return `/console/login?next=${encodeURIComponent(here)}`;
}

function consoleError(status, detail) {
  return new ApiError(status, typeof detail === "string" ? detail : JSON.stringify(detail));
}

/**
 * One request with the session cookie and, on changes, the CSRF header. A 401 goes to the
 * login page. Failures throw makeError(status, detail), detail as the API sent it.
 */
export async function api(method, path, body, makeError = consoleError) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw makeError(0, "The helpdesk service cannot be reached. Check the connection and try again.");
  }
  if (response.status === 401) {
    location.assign(loginUrl());
    throw makeError(401, "Your login has expired.");
  }
  if (!response.ok) {
    let detail = response.statusText || `HTTP ${response.status}`;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw makeError(response.status, detail);
  }
  return response.status === 204 ? null : response.json();
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const patch = (path, body) => api("PATCH", path, body);
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);

export function wsUrl(path) {
  const url = new URL(path, location.href);
  url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

export const enc = encodeURIComponent;
