// Which size of a demo video the session player plays: the copy saved for offline use if
// there is one, else the small (360p) file on a narrow screen or when the browser is asked
// to save data, else the default (720p) one. Pages without JavaScript choose the same way
// through <source media>, minus the saved copy and the data-saver setting.

/** True when this browser should get small videos: a narrow screen, or data saving on. */
export function prefersSmallVideo(media) {
  if (navigator.connection?.saveData) return true;
  return Boolean(media) && window.matchMedia(media).matches;
}

export class RenditionChooser {
  /** `plan` is the session plan; `saved` the absolute URLs found in offline copies. */
  constructor(plan, saved = new Set()) {
    this.small = prefersSmallVideo(plan.small_video_media);
    this.saved = saved;
  }

  /** Look in the offline copies for the plan's videos, then choose with what they hold. */
  static async forPlan(plan) {
    return new RenditionChooser(plan, await savedUrls(videoUrls(plan)));
  }

  /** The URL to play for a step's `video` (as the plan gives it). */
  src(video) {
    const small = video.small_src || video.src;
    // A saved copy plays with the network off and costs no data: it wins either way.
    if (this.saved.has(absolute(small))) return small;
    if (this.saved.has(absolute(video.src))) return video.src;
    return this.small ? small : video.src;
  }
}

function videoUrls(plan) {
  const urls = new Set();
  for (const step of plan.steps ?? []) {
    if (!step.video) continue;
    urls.add(absolute(step.video.src));
    if (step.video.small_src) urls.add(absolute(step.video.small_src));
  }
  return [...urls];
}

/** Which of `urls` a copy in the Cache API holds; none where there is no Cache API. */
async function savedUrls(urls) {
  if (!window.isSecureContext || !("caches" in window)) return new Set();
  try {
    const found = await Promise.all(
      urls.map(async (url) => ((await caches.match(url, { ignoreVary: true })) ? url : null)),
    );
    return new Set(found.filter(Boolean));
  } catch {
    return new Set(); // storage blocked (private mode, a policy): play from the network
  }
}

function absolute(url) {
  return new URL(url, location.href).href;
}
