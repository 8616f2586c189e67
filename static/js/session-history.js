// The visitor's past sessions, how their hips felt and how tight they were before and after,
// kept in this browser only (localStorage; nothing is sent to the server unless the visitor
// shares a session, see session-insights.js), and the "Your last sessions" list.

import { formatDuration } from "./format.js";

const KEY = "psoasapp:sessions";
const KEEP = 100;

export const FEELINGS = Object.freeze({ better: "Better", same: "Same", worse: "Worse" });

function load() {
  try {
    const sessions = JSON.parse(localStorage.getItem(KEY) ?? "[]");
    return Array.isArray(sessions) ? sessions : [];
  } catch {
    return [];
  }
}

function store(sessions) {
  try {
    localStorage.setItem(KEY, JSON.stringify(sessions.slice(-KEEP)));
    return true;
  } catch {
    return false; // storage blocked or full
  }
}

/** Keep a finished session; returns its id, for the check-in that follows. */
export function recordSession({ routine, title, seconds, stretches, stretchCount, gentle }) {
  const id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const date = new Date(Date.now()).toISOString();
  const sessions = load();
  const feeling = null; // until the check-in
  sessions.push({ id, routine, title, date, seconds, stretches, stretchCount, gentle, feeling });
  store(sessions);
  return id;
}

/** Change a kept session (its check-in, its tightness); false when it could not be saved. */
export function updateSession(id, changes) {
  const sessions = load();
  const session = sessions.find((s) => s.id === id);
  if (!session) return false;
  Object.assign(session, changes);
  return store(sessions);
}

export function setFeeling(id, feeling) {
  return updateSession(id, { feeling });
}

const isRating = (value) => Number.isInteger(value) && value >= 0 && value <= 10;

/**
 * Tightness before → after as an element, "" when neither was rated. Screen readers hear
 * "Tightness 6 to 3, 3 looser" rather than an arrow's name.
 */
export function tightnessElement(before, after) {
  const element = document.createElement("span");
  element.className = "tightness-change";
  const rated = [isRating(before), isRating(after)];
  if (!rated[0] && !rated[1]) return element;
  const parts = ["Tightness "];
  if (rated[0] && rated[1]) {
    parts.push(String(before), arrow(), String(after));
    const change = after - before;
    const words = change < 0 ? `${-change} looser` : change > 0 ? `${change} tighter` : "no change";
    parts.push(` (${words})`);
  } else if (rated[0]) {
    parts.push(`${before} before`);
  } else {
    parts.push(`${after} after`);
  }
  element.append(...parts);
  return element;
}

function arrow() {
  const fragment = document.createDocumentFragment();
  const shown = document.createElement("span");
  shown.setAttribute("aria-hidden", "true");
  shown.textContent = " → ";
  const spoken = document.createElement("span");
  spoken.className = "visually-hidden";
  spoken.textContent = " to ";
  fragment.append(shown, spoken);
  return fragment;
}

/** The routine's sessions, newest first. */
export function sessionsOf(routine, limit = 5) {
  return load()
    .filter((s) => s.routine === routine)
    .reverse()
    .slice(0, limit);
}

export function forgetSessions(routine) {
  store(load().filter((s) => s.routine !== routine));
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "short",
  day: "numeric",
  month: "short",
  hour: "numeric",
  minute: "2-digit",
});

function describe(session) {
  const parts = [formatDuration(session.seconds)];
  const count = session.stretchCount ?? session.stretches;
  parts.push(`${session.stretches} of ${count} stretch${count === 1 ? "" : "es"}`);
  if (session.gentle) parts.push("gentle mode");
  return parts.join(", ");
}

/**
 * Fill the routine page's "Your last sessions" section from this browser's history.
 * The section stays hidden when there is nothing to show.
 */
export function renderHistory(section) {
  const routine = section.dataset.routine;
  const list = section.querySelector("[data-history-list]");
  const sessions = sessionsOf(routine);
  section.hidden = sessions.length === 0;
  list.replaceChildren(
    ...sessions.map((session) => {
      const item = document.createElement("li");
      const time = document.createElement("time");
      time.dateTime = session.date;
      time.textContent = dateFormat.format(new Date(session.date));
      const what = document.createElement("span");
      what.textContent = describe(session);
      const feeling = document.createElement("span");
      feeling.className = `history__feeling history__feeling--${session.feeling ?? "none"}`;
      feeling.textContent = session.feeling ? `Hips: ${FEELINGS[session.feeling]}` : "No check-in";
      item.append(time, what, tightnessElement(session.before, session.after), feeling);
      return item;
    }),
  );
  const forget = section.querySelector("[data-history-forget]");
  if (forget && !forget.dataset.bound) {
    forget.dataset.bound = "true";
    forget.addEventListener("click", () => {
      forgetSessions(routine);
      renderHistory(section);
      document.querySelector("main")?.focus(); // the button just hid itself
    });
  }
}
