// The privacy page: export or erase one employee's personal data through the admin API
// (POST /api/admin/privacy/export and /erase). Erasing asks for the address a second time.

import { post } from "./api.js";

const form = document.getElementById("privacy-form");
const email = document.getElementById("subject-email");
const failure = document.getElementById("privacy-error");
const result = document.getElementById("privacy-result");
const dialog = document.getElementById("erase-dialog");
const confirmation = document.getElementById("erase-confirm");
const eraseOk = document.getElementById("erase-ok");
let downloadUrl = null;

function address() {
  return email.value.trim().toLowerCase();
}

function fail(message) {
  failure.textContent = message;
  failure.hidden = false;
}

function valid() {
  failure.hidden = true;
  if (!email.checkValidity() || !address()) {
    fail("Enter the employee's e-mail address.");
    email.focus();
    return false;
  }
  return true;
}

function show(title, lines, download = null) {
  document.getElementById("result-title").textContent = title;
  document.getElementById("result-lines").replaceChildren(
    ...lines.map((line) => Object.assign(document.createElement("li"), { textContent: line })),
  );
  const link = document.getElementById("download-link");
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = download ? URL.createObjectURL(download.blob) : null;
  if (download) {
    link.href = downloadUrl;
    link.download = download.name;
  }
  document.getElementById("result-download").hidden = !download;
  result.hidden = false;
  return link;
}

async function exportData() {
  if (!valid()) return;
  try {
    const data = await post("/api/admin/privacy/export", { email: address() });
    const messages = data.conversations.reduce((n, c) => n + c.messages.length, 0);
    const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
    const link = show(
      `Held about ${data.email}`,
      [
        `conversations: ${data.conversations.length}`,
        `messages: ${messages}`,
        `tickets: ${data.tickets.length}`,
      ],
      { blob, name: `personal-data-${data.email}.json` },
    );
    link.click();
  } catch (error) {
    fail(`Not exported: ${error.message}`);
  }
}

async function erase() {
  const who = address();
  try {
    const { changed } = await post("/api/admin/privacy/erase", { email: who });
    const lines = Object.entries(changed).map(([what, count]) => `${what}: ${count}`);
    show(`Erased for ${who}`, lines.length ? lines : ["nothing was held"]);
  } catch (error) {
    fail(`Not erased: ${error.message}`);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  exportData();
});

document.getElementById("erase").addEventListener("click", () => {
  if (!valid()) return;
  document.getElementById("erase-email").textContent = address();
  confirmation.value = "";
  eraseOk.disabled = true;
  dialog.returnValue = "";
  dialog.showModal();
  confirmation.focus();
});

confirmation.addEventListener("input", () => {
  eraseOk.disabled = confirmation.value.trim().toLowerCase() !== address();
});
dialog.querySelector(".cancel").addEventListener("click", () => dialog.close());
dialog.addEventListener("close", () => {
  if (dialog.returnValue === "ok" && confirmation.value.trim().toLowerCase() === address()) erase();
});
