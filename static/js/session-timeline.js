// The session as timed segments (get ready, holds, switches, rests) and where a moment falls in it.
// Pure functions of the plan the server embeds; the player asks them where it is, never counts.

export const Kind = Object.freeze({
  READY: "ready",
  HOLD: "hold",
  SWITCH: "switch",
  TRANSITION: "transition",
  REST: "rest",
});

/**
 * Lay the plan's steps end to end, in milliseconds. Gentle mode uses the
 * plan's gentle holds and rests. Segments of zero length are left out.
 */
export function buildTimeline(plan, { gentle = false } = {}) {
  const segments = [];
  let start = 0;
  const add = (kind, stepIndex, seconds) => {
    if (seconds <= 0) return;
    segments.push({ kind, stepIndex, start, duration: seconds * 1000 });
    start += seconds * 1000;
  };
  if (plan.steps.length) add(Kind.READY, 0, plan.get_ready_seconds);
  const readyMs = start;
  plan.steps.forEach((step, index) => {
    add(Kind.HOLD, index, gentle ? step.gentle_seconds : step.seconds);
    const rest = gentle ? step.gentle_rest_after_seconds : step.rest_after_seconds;
    add(step.rest_kind || Kind.REST, index, rest);
  });
  return { segments, readyMs, endMs: start, timedMs: start - readyMs, gentle };
}

/** The segment at `ms`, with the time spent in it and left of it; null once the session is over. */
export function locate(timeline, ms) {
  const { segments } = timeline;
  for (let index = 0; index < segments.length; index += 1) {
    const segment = segments[index];
    const intoMs = ms - segment.start;
    if (intoMs < segment.duration) {
      return { index, segment, intoMs: Math.max(intoMs, 0), leftMs: segment.duration - intoMs };
    }
  }
  return null;
}

function holdStart(timeline, stepIndex) {
  const hold = timeline.segments.find((s) => s.kind === Kind.HOLD && s.stepIndex === stepIndex);
  return hold ? hold.start : timeline.endMs;
}

/** Where "Next" goes from `ms`: the start of the following hold, or the end. */
export function nextStart(timeline, ms) {
  const here = locate(timeline, ms);
  if (!here) return timeline.endMs;
  const after = here.segment.kind === Kind.READY ? 0 : here.segment.stepIndex + 1;
  return holdStart(timeline, after);
}

/**
 * Where "Previous" goes from `ms`: from a hold, the hold before it; from the
 * pause after a hold, back to that hold; the countdown starts again.
 */
export function previousStart(timeline, ms) {
  const here = locate(timeline, ms);
  if (!here) return holdStart(timeline, timeline.segments.at(-1).stepIndex);
  const { kind, stepIndex, start } = here.segment;
  if (kind === Kind.READY) return start;
  const target = kind === Kind.HOLD ? stepIndex - 1 : stepIndex;
  return holdStart(timeline, Math.max(target, 0));
}

/** Milliseconds of the timed part (the countdown excluded) covered between two positions. */
export function timedBetween(timeline, fromMs, toMs) {
  const start = Math.max(fromMs, timeline.readyMs);
  const end = Math.min(toMs, timeline.endMs);
  return Math.max(end - start, 0);
}

/** The plan steps whose holds were (partly) run between two positions. */
export function holdsBetween(timeline, fromMs, toMs) {
  return timeline.segments
    .filter((s) => s.kind === Kind.HOLD && s.start < toMs && s.start + s.duration > fromMs)
    .map((s) => s.stepIndex);
}
