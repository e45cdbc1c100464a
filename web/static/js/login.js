// Browser sign-in: email and password, or the one-time link the bot sends with /web.

import { signIn } from "./api.js";
import { fill, h } from "./ui.js";

export function render(main, { message, signedIn }) {
  document.title = "Sign in · SmartHabit";
  const error = h("p.error", { id: "login-error", role: "alert" }, message || "");
  const email = h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true });
  const password = h("input", {
    id: "password", name: "password", type: "password", autocomplete: "current-password", required: true,
  });
  const button = h("button.primary", { type: "submit" }, "Sign in");
  const form = h("form.card", { "aria-describedby": "login-error" },
    h("label", { for: "email" }, "Email"), email,
    h("label", { for: "password" }, "Password"), password,
    button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    try {
      await signIn("/users/login", { email: email.value, password: password.value });
      signedIn();
    } catch (problem) {
      error.textContent = problem.status === 401 ? "Wrong email or password." : problem.message;
      button.disabled = false;
      password.focus();
    }
  });
  fill(main, 
    h("h1", { tabindex: "-1" }, "Sign in"),
    error,
    form,
    h("p.hint", {}, "Use Telegram? Send ", h("code", {}, "/web"),
      " to the bot for a one-time sign-in link, or open the app from the bot's menu button."),
  );
}
