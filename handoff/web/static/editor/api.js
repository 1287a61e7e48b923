// The knowledge-base API from editor pages: the console's session cookie and CSRF header,
// and errors that keep FastAPI's structured 422 detail, so forms can show each problem
// next to its field.

import { api as consoleApi } from "../console/api.js";

export class ApiError extends Error {
  /** @param {number} status  @param {string|Array|object} detail  as the API sent it */
  constructor(status, detail) {
    super(describe(detail));
    this.status = status;
    this.detail = detail;
  }

  /** [{field: ["body", "translations", "de", "title"] | null, message}] */
  get problems() {
    if (Array.isArray(this.detail)) {
      return this.detail.map((item) => ({
        field: Array.isArray(item.loc) ? item.loc.filter((part) => part !== "body") : null,
        message: cleanMessage(item.msg || String(item)),
      }));
    }
    return [{ field: null, message: this.message }];
  }
}

function cleanMessage(text) {
  return String(text).replace(/^Value error, /, "");
}

function describe(detail) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail
      .map((item) => {
        const where = Array.isArray(item.loc) ? item.loc.filter((part) => part !== "body").join(" › ") : "";
        return where ? `${where}: ${cleanMessage(item.msg)}` : cleanMessage(item.msg);
      })
      .join("; ");
  }
  return JSON.stringify(detail);
}

export const api = (method, path, body) =>
  consoleApi(method, path, body, (status, detail) => new ApiError(status, detail));

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
export const del = (path) => api("DELETE", path);
export const enc = encodeURIComponent;
