// Small DOM helpers shared by the views.

/** h("button.primary", {onclick}, "text", child...) builds an element; class names follow dots. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "text") el.textContent = value;
    else if (key === "style") Object.assign(el.style, value); // CSSOM: allowed by the CSP, style="" is not
    else el.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replace an element's children, skipping the null/false of conditional parts. */
export function fill(el, ...children) {
  el.replaceChildren(...children.flat().filter((child) => child !== null && child !== undefined && child !== false));
}

/** "1 day", "6 days", "1 week". */
export function count(n, unit) {
  const singular = unit.endsWith("s") ? unit.slice(0, -1) : unit;
  return `${n} ${n === 1 ? singular : unit}`;
}

const SVG = "http://www.w3.org/2000/svg";

export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, value);
  for (const child of children.flat()) if (child) el.append(child);
  return el;
}

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
export const WEEKDAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

export function percent(rate) {
  return rate === null || rate === undefined ? "–" : `${Math.round(rate * 100)}%`;
}

export function parseDay(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d));
}

export function formatDay(iso, options = { weekday: "short", day: "numeric", month: "short" }) {
  return parseDay(iso).toLocaleDateString(undefined, { ...options, timeZone: "UTC" });
}

export function addDays(iso, days) {
  const date = parseDay(iso);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** A polite status line for screen readers and eyes: "Checked in", errors. */
export function announce(message, kind = "info") {
  const box = document.getElementById("status");
  box.textContent = message;
  box.dataset.kind = kind;
  clearTimeout(announce.timer);
  announce.timer = setTimeout(() => { box.textContent = ""; }, 4000);
}

export function scheduleText(habit) {
  const s = habit.schedule;
  if (s.kind === "daily") return "Every day";
  if (s.kind === "times_per_week") return `${s.times_per_week}× a week`;
  return s.weekdays.map((d) => WEEKDAYS[d]).join(", ");
}

export function unitText(habit) {
  if (habit.kind !== "measurable") return "";
  const sign = habit.target_direction === "at_most" ? "≤" : "≥";
  return `${sign} ${habit.target}${habit.unit ? " " + habit.unit : ""}`;
}
