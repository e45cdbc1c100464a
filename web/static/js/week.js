// Week: the weekly insight beside last week. Rates are shares of what was due, and a week in progress
// counts only its days so far, so it is never held against a full week.

import { api } from "./api.js";
import { fill, formatDay, h, percent, WEEKDAY_NAMES } from "./ui.js";

export async function render(main) {
  document.title = "Week · SmartHabit";
  const current = await api("GET", "/insights/weekly");
  const previous = await api("GET", `/insights/weekly?week=${isoWeek(current.start, -7)}`);
  const inProgress = current.end >= new Date().toISOString().slice(0, 10);
  const byId = new Map(previous.habits.map((habit) => [habit.habit_id, habit]));
  fill(main, 
    h("h1", { tabindex: "-1" }, "This week", h("span.sub", {}, ` · ${current.week}`)),
    h("ul.summary", { "aria-label": "Summary" }, current.summary.map((line) => h("li", {}, line))),
    h("div.compare", {},
      column(`This week${inProgress ? ", so far" : ""}`, current, "this-week"),
      column("Last week", previous, "last-week")),
    h("p.hint", {}, "Rates are shares of what was due. This week counts only the days so far."),
    current.habits.length ? h("table.week", {},
      h("caption", {}, "Per habit"),
      h("thead", {}, h("tr", {}, ["Habit", "This week", "Last week", "Change"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, current.habits.map((habit) => {
        const before = byId.get(habit.habit_id);
        return h("tr", {}, h("th", { scope: "row" }, h("a", { href: `/app/habit/${habit.habit_id}`, "data-link": "" },
          habit.name)),
        h("td", {}, `${habit.done}/${habit.scheduled} · ${percent(habit.rate)}`),
        h("td", {}, before ? `${before.done}/${before.scheduled} · ${percent(before.rate)}` : "–"),
        h("td", {}, change(habit.change)));
      }))) : h("p.empty", {}, "No habits yet."),
  );
}

function column(title, week, id) {
  return h("section.card", { "aria-labelledby": id }, h("h2", { id }, title),
    h("p.dates", {}, `${formatDay(week.start)} – ${formatDay(week.end)}`),
    h("p.big", {}, percent(week.rate)),
    h("p", {}, `${week.done} of ${week.scheduled} due done`),
    week.best_weekday !== null ? h("p.meta", {}, `Best day: ${WEEKDAY_NAMES[week.best_weekday]}`) : null);
}

function change(delta) {
  if (delta === null || delta === undefined) return "–";
  const points = Math.round(delta * 100);
  return points > 0 ? `▲ ${points} pts` : points < 0 ? `▼ ${-points} pts` : "same";
}

/** The ISO week label ("2026-W48") of the day `shiftDays` after `startIso`. */
function isoWeek(startIso, shiftDays) {
  const d = new Date(`${startIso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + shiftDays);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7) + 3); // the week's Thursday decides its year
  const year = d.getUTCFullYear();
  const jan4 = new Date(Date.UTC(year, 0, 4));
  const week = 1 + Math.round(((d - jan4) / 86400000 - 3 + ((jan4.getUTCDay() + 6) % 7)) / 7);
  return `${year}-W${String(week).padStart(2, "0")}`;
}
