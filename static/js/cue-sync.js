// Cues that follow a demo video: the cue the video is at is marked aria-current="step" (the
// stylesheet highlights it without moving anything), each timed cue becomes a button that
// takes the video to its moment, and, only when asked, a polite live region says each new cue.
// Used by the stretch page (stretch-page.js) and the session player.

// A seek lands on the time asked for, or a hair before it; that still counts as there.
const LANDING_SECONDS = 0.05;

/** A list item for a cue, carrying its moment in the video (seconds) when it has one. */
export function cueItem(text, startSeconds) {
  const item = document.createElement("li");
  item.textContent = text;
  if (Number.isFinite(startSeconds)) item.dataset.cueStart = String(startSeconds);
  return item;
}

/** Give `video` the chapters track at `url` (none when empty), replacing another one. */
export function setChaptersTrack(video, url) {
  const current = video.querySelector('track[kind="chapters"]');
  if (current && current.getAttribute("src") === url) return;
  current?.remove();
  if (!url) return;
  const track = document.createElement("track");
  Object.assign(track, { kind: "chapters", src: url, srclang: "en", label: "Cues" });
  video.append(track);
}

export class CueSync {
  /**
   * `list` is an <ol> whose timed cues are <li data-cue-start="seconds">.
   * Options: `announcer`, a live region for the cues; `hint`, an element describing the cue
   * buttons; `playOnSeek`, whether choosing a cue also plays the video.
   */
  constructor(video, list, { announcer = null, hint = null, playOnSeek = true } = {}) {
    this.video = video;
    this.list = list;
    this.announcer = announcer;
    this.hint = hint;
    this.playOnSeek = playOnSeek;
    this.announcing = false;
    this.cues = [];
    this.current = null;
    this.chosen = null; // the cue a visitor just chose: their button already says it
    const sync = () => this.sync();
    for (const type of ["timeupdate", "seeked", "playing"]) video.addEventListener(type, sync);
    list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-cue-seek]");
      const cue = this.cues.find((c) => c.button === button);
      if (cue) this.seek(cue);
    });
    this.refresh();
  }

  /** Read the list again (after it was replaced), making a button of each timed cue. */
  refresh() {
    this.cues = [...this.list.querySelectorAll("li[data-cue-start]")]
      .map((item) => ({ item, start: Number(item.dataset.cueStart) }))
      .filter((cue) => Number.isFinite(cue.start))
      .sort((a, b) => a.start - b.start);
    for (const cue of this.cues) {
      cue.button = cue.item.querySelector("button[data-cue-seek]") ?? this.makeButton(cue.item);
      cue.text = cue.button.textContent;
    }
    this.current = this.chosen = null;
    // A video that is already playing (a looping demo) is followed at once.
    if (!this.video.paused) this.sync();
  }

  makeButton(item) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "cue-seek";
    button.dataset.cueSeek = "";
    if (this.hint?.id) button.setAttribute("aria-describedby", this.hint.id);
    button.append(...item.childNodes);
    item.append(button);
    return button;
  }

  /** The last timed cue at or before the video's time; null before the first. */
  cueAt(seconds) {
    let found = null;
    for (const cue of this.cues) if (cue.start <= seconds + LANDING_SECONDS) found = cue;
    return found;
  }

  sync() {
    this.mark(this.cueAt(this.video.currentTime));
  }

  mark(cue) {
    if (cue === this.current) return;
    this.current?.button.removeAttribute("aria-current");
    this.current = cue;
    if (!cue) return;
    cue.button.setAttribute("aria-current", "step");
    if (this.announcing && this.announcer && cue !== this.chosen) {
      this.announcer.textContent = cue.text;
    }
    if (cue !== this.chosen) this.chosen = null;
  }

  seek(cue) {
    this.chosen = cue;
    this.video.currentTime = cue.start;
    this.mark(cue);
    if (this.playOnSeek && this.video.paused) {
      // A refused play() (no user gesture allowed) leaves the video at the cue, paused.
      this.video.play()?.catch(() => {});
    }
  }

  set announce(value) {
    this.announcing = Boolean(value);
    if (!this.announcing && this.announcer) this.announcer.textContent = "";
  }
}
