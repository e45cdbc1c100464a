// Today: the habits due today, one tap to check in or undo, amounts and notes, and the day's progress.

import { api } from "./api.js";
import { announce, count, fill, formatDay, h, scheduleText, unitText } from "./ui.js";

export async function render(main) {
  document.title = "Today · SmartHabit";
  const { items } = await api("GET", "/habits");
  const today = items.length ? items[0].today : null;
  const due = items.filter((habit) => habit.due_today || habit.done_today);
  const other = items.filter((habit) => !habit.due_today && !habit.done_today);
  const done = due.filter((habit) => habit.done_today).length;
  const progress = h("progress", { id: "day-progress", max: String(Math.max(due.length, 1)), value: String(done),
                                  "aria-labelledby": "progress-label" });
  const list = h("ul.habits", { "aria-label": "Due today" }, due.map((habit) => row(habit, () => render(main))));
  fill(main, 
    h("h1", { tabindex: "-1" }, "Today", today ? h("span.sub", {}, ` · ${formatDay(today)}`) : null),
    h("div.progress", {}, h("span", { id: "progress-label" }, `${done} of ${due.length} done`), progress),
    items.length ? list : h("p.empty", {}, "No habits yet. Create one with /new in the bot."),
    due.length === 0 && items.length ? h("p.empty", {}, "Nothing due today. Enjoy the day.") : null,
    other.length ? h("section", { "aria-labelledby": "not-due" },
      h("h2", { id: "not-due" }, "Not due today"),
      h("ul.habits.quiet", {}, other.map((habit) => h("li.habit", {},
        h("a", { href: `/app/habit/${habit.id}`, "data-link": "" }, habit.name),
        h("span.meta", {}, scheduleText(habit)))))) : null,
  );
}

function row(habit, refresh) {
  const item = h("li.habit", { "data-habit": String(habit.id),
                               "data-done": habit.done_today ? "yes" : habit.today_value !== null ? "partly" : "no" });
  const name = h("a.name", { href: `/app/habit/${habit.id}`, "data-link": "" }, habit.name);
  const unit = habit.schedule.kind === "times_per_week" ? "weeks" : "days";
  const streak = h("span.meta", {}, `Streak ${count(habit.current_streak, unit)}`,
    habit.kind === "measurable" ? ` · ${unitText(habit)}` : "");
  const actions = h("div.actions");
  // A measurable check-in short of its target is recorded but not done: show it, and let it be undone.
  const checkedIn = habit.done_today || (habit.kind === "measurable" && habit.today_value !== null);
  if (checkedIn) {
    const amount = habit.kind === "measurable" ? ` (${habit.today_value}${habit.unit ? " " + habit.unit : ""})` : "";
    const label = habit.done_today ? `Done${amount}` : `Partly done${amount}`;
    actions.append(h("span.done-label", {}, label), h("button.ghost", {
      type: "button", "aria-label": `Undo ${habit.name}`,
      onclick: () => act(() => api("DELETE", `/habits/${habit.id}/checkins/${habit.today}`), "Check-in undone", refresh),
    }, "Undo"));
  } else {
    actions.append(checkInForm(habit, refresh));
  }
  item.append(h("div.line", {}, name, streak), actions);
  return item;
}

function checkInForm(habit, refresh) {
  const id = `h${habit.id}`;
  const form = h("form.checkin");
  const note = h("input", { id: `${id}-note`, name: "note", maxlength: "500", placeholder: "Note (optional)" });
  let amount = null;
  if (habit.kind === "measurable") {
    amount = h("input", { id: `${id}-value`, name: "value", type: "number", min: "0", step: "any", required: true,
                          inputmode: "decimal", size: "6" });
    form.append(h("label.sr", { for: `${id}-value` }, `Amount for ${habit.name}${habit.unit ? ` in ${habit.unit}` : ""}`),
      amount);
  }
  form.append(h("label.sr", { for: `${id}-note` }, `Note for ${habit.name}`), note,
    h("button.primary", { type: "submit", "aria-label": `Check in ${habit.name}` }, "✓ Done"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = {};
    if (amount) body.value = Number(amount.value);
    if (note.value.trim()) body.note = note.value.trim();
    act(() => api("POST", `/habits/${habit.id}/checkin`, body), `${habit.name}: checked in`, refresh);
  });
  return form;
}

async function act(call, message, refresh) {
  const row = document.activeElement && document.activeElement.closest("li[data-habit]");
  try {
    const result = await call();
    announce(result && result.milestone ? `${message} — ${result.milestone} in a row!` : message);
    await refresh();
  } catch (error) {
    announce(error.message, "error");
  }
  // Keep keyboard users where they were: on the same habit's button after the list is redrawn.
  const again = row && document.querySelector(`li[data-habit="${row.dataset.habit}"] button`);
  if (again) again.focus();
}
