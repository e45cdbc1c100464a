// The habit view's pictures as inline SVG: the year heatmap, strength over time, completion by weekday.

import { WEEKDAYS, WEEKDAY_NAMES, formatDay, h, percent, svg } from "./ui.js";

export const STATE_LABELS = {
  done: "Done", partial: "Partly done", missed: "Missed", not_due: "Not due", paused: "Paused",
  before_start: "Before the start", open: "Today, not done yet", future: "Future",
};
const CELL = 12;
const GAP = 3;
const LEFT = 30;
const TOP = 16;

/** Weeks as columns (Monday on top), months labelled above; each cell says its day and state. */
export function heatmap(days) {
  const weeks = Math.ceil(days.length / 7);
  const width = LEFT + weeks * (CELL + GAP);
  const height = TOP + 7 * (CELL + GAP);
  const counts = {};
  const cells = days.map((day, index) => {
    counts[day.state] = (counts[day.state] || 0) + 1;
    const x = LEFT + Math.floor(index / 7) * (CELL + GAP);
    const y = TOP + (index % 7) * (CELL + GAP);
    const value = day.value !== null ? ` (${day.value})` : "";
    return svg("rect", { x, y, width: CELL, height: CELL, rx: 2, class: `cell ${day.state}`, "data-day": day.day,
                         "data-state": day.state },
      svg("title", {}, document.createTextNode(`${formatDay(day.day)}: ${STATE_LABELS[day.state]}${value}`)));
  });
  const labels = [0, 2, 4].map((row) => svg("text", { x: 0, y: TOP + row * (CELL + GAP) + CELL - 2, class: "axis" },
    document.createTextNode(WEEKDAYS[row])));
  let lastMonth = "";
  for (let week = 0; week < weeks; week++) {
    const month = formatDay(days[week * 7].day, { month: "short" });
    if (month !== lastMonth) {
      labels.push(svg("text", { x: LEFT + week * (CELL + GAP), y: 11, class: "axis" }, document.createTextNode(month)));
      lastMonth = month;
    }
  }
  const summary = ["done", "partial", "missed", "paused"].map((s) => `${counts[s] || 0} ${STATE_LABELS[s].toLowerCase()}`);
  const picture = svg("svg", { viewBox: `0 0 ${width} ${height}`, width, height, role: "img",
                               "aria-label": `Year calendar: ${summary.join(", ")} days`, class: "heatmap" },
    labels, cells);
  return picture;
}

export function legend() {
  return h("ul.legend", { "aria-label": "Calendar legend" }, ["done", "partial", "missed", "not_due", "paused",
    "before_start"].map((state) => h("li", {}, h("span", { class: `swatch cell ${state}`, "aria-hidden": "true" }),
    STATE_LABELS[state])));
}

/** Strength (0–100 %) at the end of each week, as a line. */
export function strengthChart(points) {
  const width = 320;
  const height = 90;
  if (points.length < 2) {
    return h("p.empty", {}, `${percent(points.length ? points[0].strength : 0)} now; the curve grows week by week.`);
  }
  const step = points.length > 1 ? width / (points.length - 1) : 0;
  const coords = points.map((p, i) => `${(i * step).toFixed(1)},${(height - p.strength * height).toFixed(1)}`);
  const last = points[points.length - 1];
  return svg("svg", { viewBox: `-4 -4 ${width + 8} ${height + 8}`, class: "line-chart", role: "img",
                      preserveAspectRatio: "none",
                      "aria-label": `Strength over ${points.length} weeks, now ${percent(last.strength)}` },
    svg("line", { x1: 0, y1: height, x2: width, y2: height, class: "baseline" }),
    svg("polyline", { points: coords.join(" "), class: "strength-line" }));
}

/** Share of due days done, per weekday, from the heatmap's past days. */
export function weekdayRates(days) {
  const tally = WEEKDAYS.map(() => [0, 0]);
  for (const day of days) {
    if (!["done", "partial", "missed"].includes(day.state)) continue;
    const weekday = (new Date(`${day.day}T00:00:00Z`).getUTCDay() + 6) % 7;
    tally[weekday][1] += 1;
    if (day.state === "done") tally[weekday][0] += 1;
  }
  return tally.map(([done, due]) => (due ? done / due : null));
}

export function weekdayBars(rates) {
  return h("ul.bars", { "aria-label": "Completion by weekday" }, rates.map((rate, i) =>
    h("li", {}, h("span.bar-label", { "aria-hidden": "true" }, WEEKDAYS[i]),
      h("span.bar", { "aria-hidden": "true" }, h("span.fill", { style: { width: `${Math.round((rate || 0) * 100)}%` } })),
      h("span.bar-value", { "aria-label": `${WEEKDAY_NAMES[i]}: ${percent(rate)}` }, percent(rate)))));
}
