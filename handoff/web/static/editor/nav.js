// On every editor page: log out (back to the staff login, which returns to the editor),
// and dates written by the server in UTC shown in the reader's time zone.

import { post } from "./api.js";
import { toast } from "../console/ui.js";
import { when } from "./format.js";

document.getElementById("logout")?.addEventListener("click", async () => {
  try {
    await post("/api/auth/logout");
  } catch (error) {
    if (error.status !== 401) toast(`Logout failed: ${error.message}`, "error");
    return;
  }
  location.assign("/console/login?next=/editor");
});

for (const node of document.querySelectorAll("time.local-time")) {
  node.textContent = when(node.getAttribute("datetime"));
}
