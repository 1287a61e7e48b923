// The articles page's archive: Undo after a deletion and Restore in the list of deleted
// articles bring an article back as it was, then open it.

import { enc, post } from "./api.js";

const failure = document.getElementById("archive-error");

async function restore(button) {
  const slug = button.dataset.slug;
  button.disabled = true;
  try {
    await post(`/api/kb/archive/${enc(slug)}/restore`);
    location.assign(`/editor/articles/${enc(slug)}`);
  } catch (error) {
    failure.textContent = `Not restored: ${error.message}`;
    failure.hidden = false;
    button.disabled = false;
  }
}

for (const button of document.querySelectorAll("button.restore")) {
  button.addEventListener("click", () => restore(button));
}
