// On every console page: log out.

import { post } from "./api.js";
import { toast } from "./ui.js";

document.getElementById("logout")?.addEventListener("click", async () => {
  try {
    await post("/api/auth/logout");
  } catch (error) {
    if (error.status !== 401) toast(`Logout failed: ${error.message}`, "error");
    return;
  }
  location.assign("/console/login");
});
