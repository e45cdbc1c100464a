// One habit: year heatmap, streaks, strength over time, completion by weekday, skip risk, notes, actions.

import { api } from "./api.js";
import { heatmap, legend, strengthChart, weekdayBars, weekdayRates } from "./charts.js";
import { addDays, announce, count, fill, formatDay, h, percent, scheduleText, unitText, WEEKDAYS } from "./ui.js";

export async function render(main, [id], { navigate }) {
  const [habit, stats, heatmapData, checkins] = await Promise.all([
    api("GET", `/habits/${id}`), api("GET", `/habits/${id}/stats`), api("GET", `/habits/${id}/heatmap`),
    api("GET", `/habits/${id}/checkins?limit=50`),
  ]);
  document.title = `${habit.name} · SmartHabit`;
  const todayState = (heatmapData.days.find((d) => d.day === heatmapData.today) || {}).state;
  const paused = todayState === "paused";
  const refresh = () => render(main, [id], { navigate });
  const scroller = h("div.scroll", { tabindex: "0", role: "region", "aria-label": "Year calendar, scrollable" },
    heatmap(heatmapData.days));
  fill(main, 
    h("h1", { tabindex: "-1" }, habit.name),
    h("p.meta", {}, scheduleText(habit), habit.kind === "measurable" ? ` · ${unitText(habit)}` : "",
      habit.archived_at ? h("span.badge", {}, "Archived") : null, paused ? h("span.badge", {}, "Paused") : null),
    habit.description ? h("p", {}, habit.description) : null,
    h("dl.figures", {},
      figure("Current streak", count(stats.current_streak, stats.streak_unit), "current-streak"),
      figure("Longest streak", count(stats.longest_streak, stats.streak_unit), "longest-streak"),
      figure("Strength", percent(stats.strength), "strength"),
      figure("Done in total", String(stats.total_done), "total-done")),
    section("Year", scroller, legend()),
    section("Strength over time", strengthChart(heatmapData.strength)),
    section("Completion by weekday", weekdayBars(weekdayRates(heatmapData.days))),
    section("Skip risk, next 7 days", riskList(stats.skip_forecast)),
    section("Notes", notes(checkins.items)),
    section("Manage", actions(habit, paused, heatmapData.today, refresh, navigate)),
  );
  scroller.scrollLeft = scroller.scrollWidth;
}

function figure(label, value, id) {
  return h("div.figure", {}, h("dt", {}, label), h("dd", { id }, value));
}

function section(title, ...content) {
  const id = `s-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return h("section.card", { "aria-labelledby": id }, h("h2", { id }, title), ...content);
}

function riskList(forecast) {
  return h("ol.risks", {}, forecast.map((day) => {
    const p = day.skip_probability;
    const level = p >= 0.6 ? "high" : p >= 0.35 ? "medium" : "low";
    return h("li", { class: `risk ${level}` }, h("span", {}, formatDay(day.day, { weekday: "short" })),
      h("strong", {}, percent(p)), h("span.sr", {}, ` chance of skipping, ${level}`));
  }));
}

function notes(items) {
  const withNotes = items.filter((c) => c.note);
  if (!withNotes.length) return h("p.empty", {}, "No notes yet. Add one when you check in.");
  return h("ul.notes", {}, withNotes.map((c) => h("li", {}, h("time", { datetime: c.day }, formatDay(c.day)),
    " ", c.note)));
}

function actions(habit, paused, today, refresh, navigate) {
  const run = (call, message, after = refresh) => async () => {
    try {
      await call();
      announce(message);
      await after();
    } catch (error) {
      announce(error.message, "error");
    }
  };
  const box = h("div.manage");
  if (habit.archived_at) {
    box.append(h("button.primary", { type: "button", onclick: run(() => api("POST", `/habits/${habit.id}/restore`),
      "Restored") }, "Restore"));
  } else {
    box.append(editForm(habit, run), paused
      ? h("button", { type: "button", onclick: run(() => api("POST", `/habits/${habit.id}/resume`), "Resumed") },
        "Resume")
      : pauseForm(habit, today, run),
    h("button", { type: "button", onclick: run(() => api("POST", `/habits/${habit.id}/archive`), "Archived") }, "Archive"));
  }
  box.append(h("button.danger", { type: "button", onclick: async (event) => {
    if (!confirm(`Delete “${habit.name}” and all its history? This cannot be undone.`)) return;
    event.target.disabled = true;
    await run(() => api("DELETE", `/habits/${habit.id}`), "Deleted", () => navigate("/"))();
  } }, "Delete"));
  return box;
}

function field(label, input) {
  return h("div.field", {}, h("label", { for: input.id }, label), input);
}

function editForm(habit, run) {
  const name = h("input", { id: "edit-name", value: habit.name, maxlength: "100", required: true });
  const description = h("input", { id: "edit-description", value: habit.description, maxlength: "500" });
  const kind = h("select", { id: "edit-schedule" },
    [["daily", "Every day"], ["weekdays", "On weekdays"], ["times_per_week", "Times a week"]].map(([v, t]) =>
      h("option", { value: v, selected: habit.schedule.kind === v }, t)));
  const times = h("input", { id: "edit-times", type: "number", min: "1", max: "7",
                             value: String(habit.schedule.times_per_week || 3) });
  const days = h("fieldset.days", {}, h("legend", {}, "Weekdays"), WEEKDAYS.map((d, i) => h("label", {},
    h("input", { type: "checkbox", value: String(i), checked: habit.schedule.weekdays.includes(i) }), d)));
  const target = habit.kind === "measurable"
    ? h("input", { id: "edit-target", type: "number", min: "0", step: "any", value: String(habit.target) }) : null;
  const sync = () => {
    days.hidden = kind.value !== "weekdays";
    times.parentElement.hidden = kind.value !== "times_per_week";
  };
  kind.addEventListener("change", sync);
  const form = h("form.edit", {}, h("h3", {}, "Edit"), field("Name", name), field("Description", description),
    target ? field(`Target${habit.unit ? ` (${habit.unit})` : ""}`, target) : null,
    field("Schedule", kind), field("Times a week", times), days, h("button.primary", { type: "submit" }, "Save"));
  sync();
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const schedule = { kind: kind.value };
    if (kind.value === "weekdays") {
      schedule.weekdays = [...days.querySelectorAll("input:checked")].map((box) => Number(box.value));
    }
    if (kind.value === "times_per_week") schedule.times_per_week = Number(times.value);
    const body = { name: name.value, description: description.value, schedule };
    if (target) body.target = Number(target.value);
    run(() => api("PATCH", `/habits/${habit.id}`, body), "Saved")();
  });
  return form;
}

function pauseForm(habit, today, run) {
  const start = h("input", { id: "pause-start", type: "date", value: today, required: true });
  const end = h("input", { id: "pause-end", type: "date", value: addDays(today, 6), required: true });
  const form = h("form.pause", {}, h("h3", {}, "Pause"), field("From", start), field("Until", end),
    h("button", { type: "submit" }, "Pause"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    run(() => api("POST", `/habits/${habit.id}/pause`, { start: start.value, end: end.value }), "Paused")();
  });
  return form;
}
