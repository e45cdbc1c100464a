// Settings: language, time zone, quiet hours, reminders and nudges.

import { api, signOut } from "./api.js";
import { announce, fill, h } from "./ui.js";

// The languages the bot speaks (smarthabit.i18n.LANGUAGES; the API refuses any other code).
const LANGUAGES = { en: "English", ru: "Русский", es: "Español", de: "Deutsch", pt_BR: "Português (Brasil)",
                    hi: "हिन्दी" };

export async function render(main) {
  document.title = "Settings · SmartHabit";
  const me = await api("GET", "/users/me");
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  if (!zones.includes(me.timezone)) zones.unshift(me.timezone);
  const timezone = h("select", { id: "timezone", name: "timezone" },
    zones.map((zone) => h("option", { value: zone, selected: zone === me.timezone }, zone)));
  const quiet = h("input", { id: "quiet", type: "checkbox", checked: me.quiet_start !== null });
  const quietStart = h("input", { id: "quiet-start", type: "time", value: (me.quiet_start || "22:00").slice(0, 5) });
  const quietEnd = h("input", { id: "quiet-end", type: "time", value: (me.quiet_end || "07:00").slice(0, 5) });
  const reminders = h("input", { id: "reminders", type: "checkbox", checked: me.reminders_enabled });
  const nudges = h("input", { id: "nudges", type: "checkbox", checked: me.nudges_enabled });
  const later = h("input", { id: "quiet-later", type: "checkbox", checked: me.quiet_reminders_later });
  const language = h("select", { id: "language", name: "language" },
    Object.entries(LANGUAGES).map(([code, name]) => h("option", { value: code, selected: code === (me.language || "en"),
                                                                 lang: code.replace("_", "-") }, name)));
  const hours = h("div", {}, h("div.row", {}, field("From", quietStart), field("Until", quietEnd)),
    check("Send reminders due in quiet hours when they end (otherwise skip them)", later));
  const sync = () => { hours.hidden = !quiet.checked; };
  quiet.addEventListener("change", sync);
  sync();
  const form = h("form.card.settings", {},
    field("Language of the bot's messages", language),
    field("Time zone", timezone),
    check("Reminders at the times you set", reminders),
    check("Nudges when a habit is likely to be skipped", nudges),
    check("Quiet hours (no messages)", quiet), hours,
    h("button.primary", { type: "submit" }, "Save"));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { language: language.value, timezone: timezone.value, reminders_enabled: reminders.checked,
                   nudges_enabled: nudges.checked, quiet_reminders_later: later.checked,
                   quiet_start: quiet.checked ? quietStart.value : null, quiet_end: quiet.checked ? quietEnd.value : null };
    try {
      await api("PATCH", "/users/me", body);
      announce("Settings saved");
    } catch (error) {
      announce(error.message, "error");
    }
  });
  fill(main, h("h1", { tabindex: "-1" }, "Settings"),
    me.email ? h("p.meta", {}, `Signed in as ${me.email}`) : h("p.meta", {}, "Signed in with Telegram"), form,
    h("button.sign-out", { type: "button", onclick: async () => {
      await signOut();
      document.dispatchEvent(new Event("smarthabit:signed-out"));
    } }, "Sign out"));
}

function field(label, input) {
  return h("div.field", {}, h("label", { for: input.id }, label), input);
}

function check(label, input) {
  return h("div.check", {}, input, h("label", { for: input.id }, label));
}
