// The visitor's session choices (chimes, spoken cues, gentle mode), kept in this browser only.

const KEY = "psoasapp:session-preferences";
const DEFAULTS = Object.freeze({ chimes: true, speech: false, gentle: false });

export function loadPreferences() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return { ...DEFAULTS, ...(saved && typeof saved === "object" ? saved : {}) };
  } catch {
    return { ...DEFAULTS }; // storage blocked or garbled: start from the defaults
  }
}

export function savePreferences(changes) {
  const preferences = { ...loadPreferences(), ...changes };
  try {
    localStorage.setItem(KEY, JSON.stringify(preferences));
  } catch {
    // Storage blocked or full: the choice holds for this visit only.
  }
  return preferences;
}
