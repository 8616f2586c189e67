// The guided session player: get ready → each hold with its breathing pacer → switch sides or
// rest → … → done and a check-in. Where the session is comes from performance.now() on every
// frame, never from counted ticks, so a throttled or hidden tab is always exactly on time.

import { BreathingPacer } from "./breathing-pacer.js";
import { CueSync, cueItem, setChaptersTrack } from "./cue-sync.js";
import { formatClock, formatDuration, formatSpokenDuration } from "./format.js";
import { recordSession, setFeeling } from "./session-history.js";
import { SessionInsights } from "./session-insights.js";
import { loadPreferences, savePreferences } from "./session-preferences.js";
import { SessionSound } from "./session-sound.js";
import {
  buildTimeline,
  holdsBetween,
  Kind,
  locate,
  nextStart,
  previousStart,
  timedBetween,
} from "./session-timeline.js";
import { RenditionChooser } from "./video-rendition.js";
import { WakeLock } from "./wake-lock.js";

// Hidden tabs get no animation frames; a slow timer keeps chimes and speech going.
const HIDDEN_TICK_MS = 1000;

const BREATH_CHIMES = { in: "in", out: "out", "hold-in": "hold", "hold-out": "hold" };

const REPLIES = {
  better: "Good to hear. Your answer is saved on this device.",
  same:
    "Thank you. Releases like this often come slowly, over several days. " +
    "Your answer is saved on this device.",
  worse: "Thank you for telling us. Your answer is saved on this device.",
};

class SessionPlayer {
  constructor(root, plan, renditions) {
    this.root = root;
    this.plan = plan;
    this.renditions = renditions; // which size of each video to play
    const find = (selector) => root.querySelector(selector);
    this.screens = {
      start: find('[data-screen="start"]'),
      live: find('[data-screen="live"]'),
      done: find('[data-screen="done"]'),
    };
    this.ui = {
      steps: find("[data-steps]"),
      setup: find("[data-setup]"),
      total: find("[data-total]"),
      start: find('[data-action="start"]'),
      kicker: find("[data-kicker]"),
      title: find("[data-title]"),
      detail: find("[data-detail]"),
      videoFigure: find("[data-video-figure]"),
      video: find("[data-video]"),
      pacer: find("[data-pacer]"),
      seconds: find("[data-seconds]"),
      clockLabel: find("[data-clock-label]"),
      paused: find("[data-paused]"),
      toggle: find('[data-action="toggle"]'),
      chimes: find('[data-action="chimes"]'),
      progress: find("[data-progress]"),
      totalLeft: find("[data-total-left]"),
      note: find("[data-note]"),
      cues: find("[data-cues]"),
      announcer: find("[data-announcer]"),
      doneTitle: find("#done-title"),
      spent: find("[data-spent]"),
      doneCount: find("[data-done-count]"),
      reply: find("[data-checkin-reply]"),
      advice: find("[data-worse-advice]"),
      gentleNextTime: find('[data-action="gentle-next-time"]'),
      checkin: find("[data-checkin]"),
      nothingDone: find("[data-nothing-done]"),
    };
    this.options = [...root.querySelectorAll("[data-option]")];
    this.preferences = loadPreferences();
    this.sound = new SessionSound(this.preferences);
    this.wakeLock = new WakeLock();
    this.pacer = new BreathingPacer(this.ui.pacer);
    this.insights = new SessionInsights(root);
    // The hold's cues follow its looping demo video; the session, not a cue, starts and stops it.
    this.cueSync = new CueSync(this.ui.video, this.ui.cues, { playOnSeek: false });
    this.status = "idle"; // idle → running ⇄ paused → done
    this.timeline = null;
    this.baseMs = 0; // the position when the session last paused, moved or resumed
    this.resumedAt = 0; // performance.now() at that moment, while running
    this.segmentIndex = null;
    this.shown = {}; // what is on screen, so a frame only touches what changed
    this.tick = this.tick.bind(this);
  }

  mount() {
    for (const input of this.options) {
      const name = input.dataset.option;
      input.checked = Boolean(this.preferences[name]);
      if (name === "speech" && !this.sound.canSpeak) input.closest("label").hidden = true;
      input.addEventListener("change", () => {
        this.setOption(name, input.checked, { preview: true });
      });
    }
    this.showTotal();
    this.syncChimesButton();
    this.insights.mount();
    this.ui.setup.hidden = false;
    this.root.addEventListener("click", (event) => {
      const button = event.target.closest("button");
      if (button?.dataset.feeling) this.checkIn(button.dataset.feeling);
      else if (button?.dataset.action) this.act(button.dataset.action);
    });
    document.addEventListener("keydown", (event) => this.onKey(event));
    document.addEventListener("visibilitychange", () => {
      if (this.status === "running") this.tick();
    });
  }

  act(action) {
    const actions = {
      start: () => this.start(),
      toggle: () => (this.status === "running" ? this.pause() : this.resume()),
      next: () => this.jump(nextStart(this.timeline, this.position())),
      previous: () => this.jump(previousStart(this.timeline, this.position())),
      end: () => this.finish(),
      chimes: () => this.setOption("chimes", !this.preferences.chimes, { preview: true }),
      restart: () => this.reset(),
      "gentle-next-time": () => this.gentleNextTime(),
    };
    actions[action]?.();
  }

  onKey(event) {
    if (this.status !== "running" && this.status !== "paused") return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.defaultPrevented) return;
    const target = event.target instanceof Element ? event.target : document.body;
    if (target.closest("input, select, textarea, [contenteditable]")) return;
    if (event.key === " ") {
      // On a focused button Space presses that button, as everywhere else.
      if (target.closest("button, a, summary")) return;
      event.preventDefault();
      this.act("toggle");
    } else if (event.key === "ArrowRight") {
      event.preventDefault();
      this.act("next");
    } else if (event.key === "ArrowLeft") {
      event.preventDefault();
      this.act("previous");
    }
  }

  setOption(name, value, { preview = false } = {}) {
    this.preferences = savePreferences({ [name]: value });
    this.sound.chimes = this.preferences.chimes;
    this.sound.speech = this.preferences.speech;
    for (const input of this.options) {
      input.checked = Boolean(this.preferences[input.dataset.option]);
    }
    this.syncChimesButton();
    if (name === "gentle") this.showTotal();
    // A first sound now, from the tap itself, shows how loud it will be.
    if (preview && name === "chimes" && value) this.sound.chime("begin");
    if (preview && name === "speech" && value) this.sound.say("Spoken cues are on.");
  }

  syncChimesButton() {
    this.ui.chimes.setAttribute("aria-pressed", String(this.preferences.chimes));
  }

  showTotal() {
    const { gentle } = this.preferences;
    const seconds = gentle ? this.plan.gentle_total_seconds : this.plan.total_seconds;
    this.ui.total.textContent = formatDuration(seconds) + (gentle ? " in gentle mode" : "");
  }

  show(name) {
    for (const [key, screen] of Object.entries(this.screens)) screen.hidden = key !== name;
    this.ui.steps.hidden = name !== "start";
    this.root.dataset.status = this.status;
    // While running, the page is only the session: no header or footer to scroll past.
    document.body.classList.toggle("is-session-live", name === "live");
  }

  start() {
    this.sound.unlock();
    this.timeline = buildTimeline(this.plan, { gentle: this.preferences.gentle });
    this.ui.progress.setAttribute("aria-valuemax", String(this.timeline.timedMs / 1000));
    this.spentMs = 0;
    this.held = new Set(); // the routine's stretches held for a while, by position
    this.historyId = null;
    this.insights.begin();
    this.segmentIndex = null;
    this.shown = {};
    this.baseMs = 0;
    this.status = "running";
    this.resumedAt = performance.now();
    this.show("live");
    this.showRunning();
    this.ui.toggle.focus();
    this.tick();
  }

  /** Where the session is, in milliseconds from Start (the countdown included). */
  position() {
    if (this.status !== "running") return this.baseMs;
    return this.baseMs + (performance.now() - this.resumedAt);
  }

  /** Fold the time run since the last change into the position and the time spent. */
  settle() {
    if (this.status !== "running") return;
    const now = performance.now();
    const position = this.baseMs + (now - this.resumedAt);
    this.spentMs += timedBetween(this.timeline, this.baseMs, position);
    for (const index of holdsBetween(this.timeline, this.baseMs, position)) {
      this.held.add(this.plan.steps[index].position);
    }
    this.baseMs = Math.min(position, this.timeline.endMs);
    this.resumedAt = now;
  }

  tick() {
    this.cancelTick();
    if (this.status !== "running") return;
    const ms = this.position();
    if (ms >= this.timeline.endMs) {
      this.finish();
      return;
    }
    this.render(ms);
    if (document.visibilityState === "visible") this.frame = requestAnimationFrame(this.tick);
    else this.timer = setTimeout(this.tick, HIDDEN_TICK_MS);
  }

  cancelTick() {
    cancelAnimationFrame(this.frame);
    clearTimeout(this.timer);
    this.frame = this.timer = null;
  }

  pause() {
    if (this.status !== "running") return;
    this.settle();
    this.status = "paused";
    this.root.dataset.status = "paused";
    this.cancelTick();
    this.wakeLock.release();
    this.sound.silence();
    this.ui.video.pause();
    this.ui.toggle.textContent = "Resume";
    this.ui.paused.hidden = false;
    this.announce("Paused.");
    this.render(this.baseMs);
  }

  resume() {
    if (this.status !== "paused") return;
    this.status = "running";
    this.resumedAt = performance.now();
    this.showRunning();
    const here = locate(this.timeline, this.baseMs);
    if (here?.segment.kind === Kind.HOLD) this.playVideo();
    this.announce("Resumed.");
    this.tick();
  }

  showRunning() {
    this.root.dataset.status = "running";
    this.ui.toggle.textContent = "Pause";
    this.ui.paused.hidden = true;
    this.wakeLock.hold();
  }

  /** Move to `targetMs` (Next, Previous), running or paused as before. */
  jump(targetMs) {
    if (this.status !== "running" && this.status !== "paused") return;
    this.settle();
    this.baseMs = targetMs;
    if (targetMs >= this.timeline.endMs) {
      this.finish();
      return;
    }
    this.segmentIndex = null; // even a jump to the start of this segment begins it again
    this.render(targetMs);
  }

  render(ms) {
    const here = locate(this.timeline, ms);
    if (!here) return;
    if (here.index !== this.segmentIndex) this.enter(here);
    const { segment, intoMs, leftMs } = here;
    this.setText("seconds", formatClock(leftMs / 1000));
    if (segment.kind === Kind.HOLD) {
      const breath = this.pacer.show(this.plan.steps[segment.stepIndex].breathing, intoMs);
      // The first breath of a hold arrives with the hold's own chime.
      if (breath && intoMs > 250 && this.status === "running") {
        this.sound.chime(BREATH_CHIMES[breath.name]);
      }
    }
    const timedMs = timedBetween(this.timeline, 0, ms);
    const timedSeconds = Math.floor(timedMs / 1000);
    if (this.shown.progress !== timedSeconds) {
      this.shown.progress = timedSeconds;
      const total = this.timeline.timedMs / 1000;
      this.ui.progress.setAttribute("aria-valuenow", String(timedSeconds));
      this.ui.progress.setAttribute(
        "aria-valuetext",
        `${formatDuration(timedSeconds)} of ${formatDuration(total)}`,
      );
      this.ui.progress.style.setProperty("--progress", (timedSeconds / total).toFixed(4));
    }
    this.setText("totalLeft", formatClock((this.timeline.timedMs - timedMs) / 1000));
  }

  setText(name, text) {
    if (this.shown[name] === text) return;
    this.shown[name] = text;
    this.ui[name].textContent = text;
  }

  /** A new segment: words, cues, video, pacer, chime and announcement. */
  enter({ index, segment }) {
    this.segmentIndex = index;
    const step = this.plan.steps[segment.stepIndex];
    const next = this.plan.steps[segment.stepIndex + 1] ?? step;
    const view = this.describe(segment, step, next);
    this.root.dataset.kind = segment.kind;
    this.ui.kicker.textContent = view.kicker;
    this.ui.title.textContent = view.title;
    this.ui.detail.textContent = view.detail;
    this.ui.detail.hidden = !view.detail;
    this.ui.clockLabel.textContent = view.clockLabel;
    this.showCues(view.about);
    const holding = segment.kind === Kind.HOLD;
    this.ui.pacer.hidden = !holding;
    if (holding) this.pacer.reset();
    this.showVideo(view.about, holding);
    this.announce(view.announcement);
    if (segment.kind !== Kind.READY) this.sound.chime(holding ? "begin" : "end");
    this.sound.say(view.announcement);
  }

  describe(segment, step, next) {
    const count = this.plan.stretch_count;
    const seconds = formatSpokenDuration(segment.duration / 1000);
    const side = (s) => (s.side_label ? `, ${s.side_label.toLowerCase()}` : "");
    switch (segment.kind) {
      case Kind.READY:
        return {
          kicker: "Get ready",
          title: step.title,
          detail: step.side_label ? `${step.side_label} first` : "The first stretch",
          clockLabel: "to get ready",
          about: step,
          announcement: `Get ready. First: ${step.title}${side(step)}.`,
        };
      case Kind.HOLD: {
        const round = step.rounds > 1 ? `Round ${step.round} of ${step.rounds}` : "";
        return {
          kicker: `Stretch ${step.position} of ${count}`,
          title: step.title,
          detail: [step.side_label, round].filter(Boolean).join(" · "),
          clockLabel: step.side ? "left on this side" : "left in this stretch",
          about: step,
          announcement: `${step.title}${side(step)}. ${seconds}.`,
        };
      }
      case Kind.SWITCH:
        return {
          kicker: `Stretch ${step.position} of ${count}`,
          title: "Switch sides",
          detail: `Up next: ${next.side_label.toLowerCase()}`,
          clockLabel: "to change sides",
          about: step,
          announcement: `Switch sides. Up next: ${next.side_label.toLowerCase()}.`,
        };
      case Kind.TRANSITION:
        return {
          kicker: `Stretch ${step.position} of ${count}`,
          title: "Come out slowly",
          detail: `Up next: round ${next.round} of ${next.rounds}${side(next)}`,
          clockLabel: "before the next round",
          about: step,
          announcement: `Come out slowly. Up next: round ${next.round}${side(next)}.`,
        };
      default:
        return {
          kicker: `Stretch ${step.position} of ${count} done`,
          title: "Rest",
          detail: `Up next: ${next.title}`,
          clockLabel: "to rest",
          about: next,
          announcement: `Rest. Up next: ${next.title}.`,
        };
    }
  }

  showCues(step) {
    if (this.shown.cuesOf === step) return;
    this.shown.cuesOf = step;
    this.ui.cues.replaceChildren(
      ...step.cues.map((cue, index) => cueItem(cue, step.cue_starts?.[index])),
    );
    this.cueSync.refresh();
    this.ui.note.textContent = step.note;
    this.ui.note.hidden = !step.note;
  }

  showVideo(step, play) {
    const { video } = step;
    const element = this.ui.video;
    this.ui.videoFigure.hidden = !video;
    if (!video) {
      element.pause();
      return;
    }
    const src = this.renditions.src(video);
    if (this.shown.videoSrc !== src) {
      this.shown.videoSrc = src;
      if (video.poster) element.poster = video.poster;
      else element.removeAttribute("poster");
      if (video.width && video.height) {
        element.width = video.width;
        element.height = video.height;
      }
      element.muted = true;
      element.querySelectorAll("track").forEach((track) => track.remove());
      if (video.captions) {
        const track = document.createElement("track");
        Object.assign(track, {
          kind: "captions",
          src: video.captions,
          srclang: "en",
          label: "English",
          default: true,
        });
        element.append(track);
      }
      element.src = src;
    }
    setChaptersTrack(element, step.chapters_url);
    element.setAttribute("aria-label", `Demo video: ${step.title}`);
    if (play && this.status === "running") this.playVideo();
    else element.pause();
  }

  playVideo() {
    // A refused or interrupted play() only means a still poster; the session goes on.
    this.ui.video.play()?.catch(() => {});
  }

  announce(text) {
    this.ui.announcer.textContent = text;
  }

  finish() {
    if (this.status !== "running" && this.status !== "paused") return;
    this.settle();
    this.status = "done";
    this.cancelTick();
    this.wakeLock.release();
    this.ui.video.pause();
    const seconds = Math.round(this.spentMs / 1000);
    const count = this.plan.stretch_count;
    this.ui.spent.textContent = formatDuration(seconds);
    this.ui.doneCount.textContent = `${this.held.size} of ${count}`;
    // Ended before any stretch: nothing worth a place in the history or a check-in.
    const didSomething = this.held.size > 0;
    this.historyId = didSomething
      ? recordSession({
          routine: this.plan.slug,
          title: this.plan.title,
          seconds,
          stretches: this.held.size,
          stretchCount: count,
          gentle: this.timeline.gentle,
        })
      : null;
    this.insights.end({
      historyId: this.historyId,
      routine: this.plan.slug,
      gentle: this.timeline.gentle,
      completed: this.baseMs >= this.timeline.endMs,
      endedAtStep: this.stretchAt(this.baseMs),
    });
    this.ui.doneTitle.textContent = didSomething ? "Well done" : "Session ended";
    this.ui.checkin.hidden = !didSomething;
    this.ui.nothingDone.hidden = didSomething;
    for (const button of this.root.querySelectorAll("[data-feeling]")) {
      button.setAttribute("aria-pressed", "false");
    }
    this.ui.reply.textContent = "";
    this.ui.advice.hidden = true;
    this.show("done");
    this.ui.doneTitle.focus();
    if (didSomething) {
      this.sound.chime("done");
      this.sound.say("Well done. How do your hips feel?");
    }
  }

  /** The stretch (by position) on screen at `ms`: during a rest, the one coming up. */
  stretchAt(ms) {
    const here = locate(this.timeline, ms);
    if (!here) return this.plan.stretch_count;
    const { kind, stepIndex } = here.segment;
    const index = kind === Kind.REST ? stepIndex + 1 : stepIndex;
    return this.plan.steps[Math.min(index, this.plan.steps.length - 1)].position;
  }

  checkIn(feeling) {
    this.insights.felt(feeling);
    for (const button of this.root.querySelectorAll("[data-feeling]")) {
      button.setAttribute("aria-pressed", String(button.dataset.feeling === feeling));
    }
    const saved = this.historyId !== null && setFeeling(this.historyId, feeling);
    this.ui.reply.textContent = saved
      ? REPLIES[feeling]
      : "Thank you. (This browser is not keeping data, so the answer was not saved.)";
    this.ui.advice.hidden = feeling !== "worse";
    this.ui.gentleNextTime.hidden = this.preferences.gentle;
  }

  gentleNextTime() {
    this.setOption("gentle", true);
    this.ui.reply.textContent =
      "Gentle mode will be on next time: holds a third shorter, rests half as long again.";
  }

  reset() {
    this.status = "idle";
    this.insights.reset();
    this.timeline = null;
    this.show("start");
    this.ui.start.focus();
  }
}

const root = document.querySelector("[data-session]");
const planScript = document.getElementById("session-plan");
if (root && planScript) {
  const plan = JSON.parse(planScript.textContent);
  // Start appears once the player knows which videos a saved offline copy holds (at once).
  if (plan.steps.length) {
    RenditionChooser.forPlan(plan).then((renditions) => {
      new SessionPlayer(root, plan, renditions).mount();
    });
  }
}
