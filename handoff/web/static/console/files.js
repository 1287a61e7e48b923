// Attachments in the console: images inline (the session cookie goes along with <img src>,
// the service sends them inline), other files as links with name and size, and the
// agent's upload to the chat they own.

import { h } from "../shared/dom.js";
import { ApiError, csrfToken, loginUrl } from "./api.js";

const UNITS = ["B", "KB", "MB", "GB"];
const IMAGE = /^image\/(png|jpeg|gif|webp)$/;

/** "1.2 MB" */
export function fileSize(bytes) {
  let value = Number(bytes) || 0;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toLocaleString("en-GB", { maximumFractionDigits: unit === 0 || value >= 10 ? 0 : 1 })} ${UNITS[unit]}`;
}

/** Same-origin path of an attachment (the service's public URL may name another host). */
function localUrl(url) {
  const parsed = new URL(url, location.href);
  return parsed.pathname.startsWith("/api/attachments/") ? parsed.pathname : parsed.href;
}

/** One attachment: a thumbnail that opens the full picture in a new tab, or a download link. */
export function attachmentNode(file) {
  const url = localUrl(file.url);
  const caption = `${file.name} (${fileSize(file.size)})`;
  if (IMAGE.test(file.content_type)) {
    const image = h("img", { src: url, alt: file.name, loading: "lazy" });
    return h("a", { class: "attachment image", href: url, target: "_blank", rel: "noopener", title: `Open ${caption} full size` }, image, h("span", {}, caption));
  }
  return h("a", { class: "attachment file", href: url, download: file.name }, caption);
}

export function attachmentList(files) {
  return h("ul", { class: "attachments" }, files.map((file) => h("li", {}, attachmentNode(file))));
}

/** Upload a file for the employee (multipart field `file`); throws ApiError with the reason. */
export async function uploadForEmployee(conversationId, file) {
  const form = new FormData();
  form.append("file", file, file.name || "file");
  let response;
  try {
    response = await fetch(`/api/agent/conversations/${encodeURIComponent(conversationId)}/attachments`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
      body: form,
    });
  } catch {
    throw new ApiError(0, "The helpdesk service cannot be reached.");
  }
  if (response.status === 401) {
    location.assign(loginUrl());
    throw new ApiError(401, "Your login has expired.");
  }
  if (!response.ok) {
    let detail = response.statusText;
    try {
      detail = (await response.json()).detail ?? detail;
    } catch {
      /* not JSON */
    }
    throw new ApiError(response.status, typeof detail === "string" ? detail : JSON.stringify(detail));
  }
  return response.json();
}
