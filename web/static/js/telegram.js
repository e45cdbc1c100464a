// Telegram Mini App integration without telegram-web-app.js: the launch parameters come from the URL
// fragment (tgWebAppData, tgWebAppThemeParams), events go through the same bridge that script uses
// (TelegramWebviewProxy in the apps, postMessage to the parent frame in Telegram Web).

const KEY = "smarthabit.launch";

function readFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (!params.has("tgWebAppData")) return null;
  let theme = {};
  try {
    theme = JSON.parse(params.get("tgWebAppThemeParams") || "{}");
  } catch {
    theme = {};
  }
  return { initData: params.get("tgWebAppData"), theme, platform: params.get("tgWebAppPlatform") || "unknown" };
}

/** The launch parameters: from the fragment on first load, remembered for the tab's later navigations. */
export const launch = (() => {
  const fresh = readFragment();
  if (fresh) {
    sessionStorage.setItem(KEY, JSON.stringify(fresh));
    history.replaceState(history.state, "", location.pathname + location.search);
    return fresh;
  }
  try {
    return JSON.parse(sessionStorage.getItem(KEY));
  } catch {
    return null;
  }
})();

export const inTelegram = launch !== null;

export function postEvent(type, data = {}) {
  if (!inTelegram) return;
  const proxy = window.TelegramWebviewProxy;
  if (proxy && typeof proxy.postEvent === "function") {
    proxy.postEvent(type, JSON.stringify(data));
  } else if (window.parent !== window) {
    window.parent.postMessage(JSON.stringify({ eventType: type, eventData: data }), "https://web.telegram.org");
  }
}

const handlers = {};

export function onEvent(type, handler) {
  handlers[type] = handler;
}

function receive(type, data) {
  if (type === "theme_changed" && data && data.theme_params) applyTheme(data.theme_params);
  if (handlers[type]) handlers[type](data);
}

// The apps call window.Telegram.WebView.receiveEvent; Telegram Web posts a message to the frame.
window.Telegram = window.Telegram || {};
window.Telegram.WebView = window.Telegram.WebView || {};
window.Telegram.WebView.receiveEvent = receive;
window.addEventListener("message", (event) => {
  if (event.source !== window.parent) return;
  try {
    const message = JSON.parse(event.data);
    receive(message.eventType, message.eventData);
  } catch {
    /* not Telegram's */
  }
});

const COLORS = {
  bg_color: "--bg", secondary_bg_color: "--bg2", section_bg_color: "--card", text_color: "--text",
  hint_color: "--hint", link_color: "--link", button_color: "--accent", button_text_color: "--accent-text",
  destructive_text_color: "--danger", header_bg_color: "--header",
};

function luminance(hex) {
  const n = parseInt(hex.slice(1), 16);
  const channel = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255);
}

function contrast(a, b) {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

// Text colors are taken only where they stay readable (WCAG AA, 4.5:1) on the color they sit on.
const READ_ON = { text_color: "bg_color", hint_color: "bg_color", link_color: "bg_color",
                  button_text_color: "button_color", destructive_text_color: "bg_color" };

/** Follow Telegram's colors; a dark background switches the whole palette to dark. */
export function applyTheme(theme) {
  const root = document.documentElement;
  const valid = (color) => /^#[0-9a-f]{6}$/i.test(color || "");
  const bg = theme.bg_color;
  if (valid(bg)) root.dataset.theme = luminance(bg) < 0.2 ? "dark" : "light";
  for (const [name, variable] of Object.entries(COLORS)) {
    const color = theme[name];
    if (!valid(color)) continue;
    const under = theme[READ_ON[name]];
    if (READ_ON[name] && valid(under) && contrast(color, under) < 4.5) continue;
    root.style.setProperty(variable, color);
  }
}

/** Telegram's back button: shown on inner views, pressing it goes back in the app. */
export function setBackButton(visible) {
  postEvent("web_app_setup_back_button", { is_visible: visible });
}

export function ready() {
  if (!inTelegram) return;
  applyTheme(launch.theme || {});
  postEvent("web_app_ready");
  postEvent("web_app_expand");
}
