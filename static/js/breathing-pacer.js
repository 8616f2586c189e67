// The breathing pacer: a circle that fills on the in-breath and empties on the out-breath,
// with the phase in words for everyone (and for screen readers, a polite live region).

const PHASES = [
  { name: "in", word: "Breathe in", key: "inhale_seconds" },
  { name: "hold-in", word: "Hold", key: "hold_in_seconds" },
  { name: "out", word: "Breathe out", key: "exhale_seconds" },
  { name: "hold-out", word: "Hold", key: "hold_out_seconds" },
];

// A breath speeds up and slows down at its ends; a linear fill looks mechanical.
const ease = (progress) => (1 - Math.cos(Math.PI * progress)) / 2;

/**
 * Where a breath is `ms` after the pattern started: the phase, its word and
 * length, the count within it (1, 2, 3…), which breath this is, and how full
 * the lungs are (0 empty, 1 full).
 */
export function breathAt(pattern, ms) {
  const phases = PHASES.map((phase) => ({ ...phase, ms: (pattern[phase.key] || 0) * 1000 })).filter(
    (phase) => phase.ms > 0,
  );
  const cycleMs = phases.reduce((sum, phase) => sum + phase.ms, 0);
  const breath = Math.floor(ms / cycleMs);
  let into = ms - breath * cycleMs;
  for (const phase of phases) {
    if (into < phase.ms) {
      const progress = into / phase.ms;
      const fullness = {
        in: ease(progress),
        "hold-in": 1,
        out: 1 - ease(progress),
        "hold-out": 0,
      }[phase.name];
      return {
        name: phase.name,
        word: phase.word,
        seconds: phase.ms / 1000,
        count: Math.floor(into / 1000) + 1,
        breath,
        fullness,
      };
    }
    into -= phase.ms;
  }
  throw new RangeError("a breathing pattern needs at least one phase");
}

export class BreathingPacer {
  constructor(root) {
    this.root = root;
    this.word = root.querySelector("[data-pacer-word]");
    this.length = root.querySelector("[data-pacer-length]");
    this.count = root.querySelector("[data-pacer-count]");
    this.phaseKey = null;
  }

  /** Draw the breath at `ms` into a hold; returns the breath when a new phase began. */
  show(pattern, ms) {
    const breath = breathAt(pattern, ms);
    // CSS turns this into the circle's size, or into a bar when motion is reduced.
    this.root.style.setProperty("--breath", breath.fullness.toFixed(3));
    // Counted up, as a teacher counts a breath: "in, two, three, four".
    const count = String(breath.count);
    if (this.count.textContent !== count) this.count.textContent = count;
    const phaseKey = `${breath.breath}:${breath.name}`;
    if (phaseKey === this.phaseKey) return null;
    this.phaseKey = phaseKey;
    this.root.dataset.phase = breath.name;
    // Both parts change in one task, so the live region speaks once: "Breathe in for 4".
    this.word.textContent = breath.word;
    this.length.textContent = ` for ${breath.seconds}`;
    return breath;
  }

  /** Forget the phase on screen, so the next hold announces its first breath. */
  reset() {
    this.phaseKey = null;
  }
}
