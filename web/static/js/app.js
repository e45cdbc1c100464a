// Boot and routing: sign in (Telegram initData, a /web link, or email), then show the view for the path.

import { ApiError, signIn, signedIn } from "./api.js";
import * as telegram from "./telegram.js";
import { fill, h } from "./ui.js";

const BASE = "/app";
const VIEWS = [
  [/^\/?$/, () => import("./today.js")],
  [/^\/habit\/(\d+)$/, () => import("./habit.js")],
  [/^\/week$/, () => import("./week.js")],
  [/^\/settings$/, () => import("./settings.js")],
];

const main = document.getElementById("view");

export function navigate(path, { replace = false } = {}) {
  const url = BASE + path;
  if (replace) history.replaceState({}, "", url);
  else history.pushState({}, "", url);
  render();
}

function currentPath() {
  return location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) || "/" : "/";
}

function markNav(path) {
  for (const link of document.querySelectorAll("nav a")) {
    const active = link.getAttribute("href") === BASE + path || (path === "/" && link.dataset.home !== undefined);
    if (active) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
}

async function render() {
  const path = currentPath();
  if (!signedIn() && telegram.inTelegram && !render.retriedTelegram) {
    render.retriedTelegram = true; // the session ended (refresh token spent or expired): Telegram vouches again
    await signIn("/auth/telegram", { init_data: telegram.launch.initData }).catch(() => {});
  }
  document.body.dataset.signedIn = signedIn() ? "yes" : "no";
  if (!signedIn()) return showLogin();
  const match = VIEWS.map(([pattern, load]) => [path.match(pattern), load]).find(([m]) => m);
  telegram.setBackButton(path !== "/");
  markNav(path);
  if (!match) return notFound();
  const [params, load] = match;
  main.setAttribute("aria-busy", "true");
  try {
    const view = await load();
    await view.render(main, params.slice(1), { navigate });
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return render();
    if (error instanceof ApiError && error.status === 404) return notFound();
    fill(main, h("h1", {}, "Something went wrong"), h("p", {}, error.message));
  } finally {
    main.removeAttribute("aria-busy");
  }
  const heading = main.querySelector("h1");
  if (render.count++ === 0) performance.mark("smarthabit:first-render"); // read by bench/web_first_view.py
  else if (heading) heading.focus();
}
render.count = 0;

function notFound() {
  document.title = "Not found · SmartHabit";
  fill(main, h("h1", { tabindex: "-1" }, "Not found"),
    h("p", {}, "This page does not exist, or the habit belongs to nobody you know."),
    h("a", { href: `${BASE}/`, "data-link": "" }, "Back to today"));
}

async function showLogin(message) {
  const view = await import("./login.js");
  view.render(main, { message, signedIn: () => render() });
}

async function signInFromLaunch() {
  const code = new URLSearchParams(location.hash.slice(1)).get("login");
  if (code) {
    history.replaceState({}, "", location.pathname + location.search);
    try {
      await signIn("/auth/web-login", { code });
      return null;
    } catch {
      return "That sign-in link has expired or was used already. Send /web to the bot for a new one.";
    }
  }
  if (telegram.inTelegram && !signedIn()) {
    try {
      await signIn("/auth/telegram", { init_data: telegram.launch.initData });
    } catch {
      return "Telegram could not confirm who you are. Close the app and open it again from the bot.";
    }
  }
  return null;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.getAttribute("href").slice(BASE.length) || "/");
});
window.addEventListener("popstate", render);
telegram.onEvent("back_button_pressed", () => history.back());
document.addEventListener("smarthabit:signed-out", () => navigate("/", { replace: true }));

telegram.ready();
document.documentElement.dataset.telegram = telegram.inTelegram ? "yes" : "no";
const problem = await signInFromLaunch();
if (problem && !signedIn()) showLogin(problem);
else render();
