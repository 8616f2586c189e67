// How times and sizes are written on the session pages, matching the `duration` template filter.

/** 90 → "1 min 30 s", 600 → "10 min", 45 → "45 s". */
export function formatDuration(seconds) {
  const whole = Math.max(Math.round(seconds), 0);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  if (!minutes) return `${rest} s`;
  if (!rest) return `${minutes} min`;
  return `${minutes} min ${rest} s`;
}

/** 90 → "1:30", 5 → "0:05": the big countdowns. */
export function formatClock(seconds) {
  const whole = Math.max(Math.ceil(seconds), 0);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, "0")}`;
}

/** 950_000 → "927.7 KB", as Django's filesizeformat writes sizes. */
export function formatBytes(bytes) {
  const units = ["KB", "MB", "GB"];
  if (bytes < 1024) return `${bytes}\u00a0bytes`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)}\u00a0${units[unit]}`;
}

/** 90 → "1 minute 30 seconds": for speech and screen readers. */
export function formatSpokenDuration(seconds) {
  const whole = Math.max(Math.round(seconds), 0);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  const parts = [];
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? "" : "s"}`);
  if (rest || !minutes) parts.push(`${rest} second${rest === 1 ? "" : "s"}`);
  return parts.join(" ");
}
