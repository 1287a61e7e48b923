// On every editor page: log out (back to the staff login, which returns to the editor),
// and dates written by the server in UTC shown in the reader's time zone.

import { wireLogout } from "../console/ui.js";
import { when } from "./format.js";

wireLogout("/console/login?next=/editor");

for (const node of document.querySelectorAll("time.local-time")) {
  node.textContent = when(node.getAttribute("datetime"));
}
