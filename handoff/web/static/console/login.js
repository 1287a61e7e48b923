// The login form: POST /api/auth/login (sets the session and CSRF cookies), then go on.

const form = document.getElementById("login-form");
const error = document.getElementById("login-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  error.hidden = true;
  const username = form.username.value.trim();
  const password = form.password.value;
  if (!username || !password) {
    error.textContent = "Enter your username and password.";
    error.hidden = false;
    return;
  }
  const button = form.querySelector("button");
  button.disabled = true;
  try {
    const response = await fetch("/api/auth/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({ username, password }),
    });
    if (response.ok) {
      location.assign(form.dataset.next || "/console");
      return;
    }
    error.textContent =
      response.status === 401 ? "Wrong username or password." : `Login failed (HTTP ${response.status}).`;
  } catch {
    error.textContent = "The helpdesk service cannot be reached.";
  }
  error.hidden = false;
  button.disabled = false;
  form.password.focus();
});
