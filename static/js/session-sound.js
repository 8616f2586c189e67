// Sound for a session with eyes closed: soft chimes made with the Web Audio API (no audio
// files to download) and, if asked for, the stretch names read aloud with speechSynthesis.

// Each chime is a few sine partials fading out: [frequency Hz, loudness, seconds, delay].
const CHIMES = {
  // A new stretch or side begins.
  begin: [
    [523.25, 0.16, 2.2, 0],
    [784.0, 0.07, 1.6, 0],
    [1046.5, 0.03, 1.0, 0],
  ],
  // A hold ends: a rest, a switch of sides.
  end: [
    [392.0, 0.14, 2.0, 0],
    [587.33, 0.06, 1.4, 0],
  ],
  // The breath turns: barely there, so it guides without startling.
  in: [[659.25, 0.045, 0.7, 0]],
  out: [[440.0, 0.045, 0.9, 0]],
  hold: [[523.25, 0.03, 0.5, 0]],
  done: [
    [523.25, 0.14, 2.6, 0],
    [659.25, 0.12, 2.6, 0.28],
    [784.0, 0.12, 3.2, 0.56],
  ],
};

export class SessionSound {
  constructor({ chimes = true, speech = false } = {}) {
    this.chimes = chimes;
    this.speech = speech;
    this.context = null;
  }

  get canSpeak() {
    return "speechSynthesis" in window && "SpeechSynthesisUtterance" in window;
  }

  /** Call from a tap or key press: browsers only let a page start sound after one. */
  unlock() {
    if (!this.chimes) return;
    try {
      this.context ??= new AudioContext();
      if (this.context.state === "suspended") this.context.resume().catch(() => {});
    } catch {
      this.context = null; // no Web Audio: the session is silent, not broken
    }
  }

  chime(name) {
    if (!this.chimes) return;
    this.unlock();
    const context = this.context;
    if (!context || context.state !== "running") return;
    const now = context.currentTime + 0.01;
    for (const [frequency, loudness, seconds, delay] of CHIMES[name] ?? []) {
      const start = now + delay;
      const tone = new OscillatorNode(context, { type: "sine", frequency });
      const envelope = new GainNode(context, { gain: 0.0001 });
      envelope.gain.setValueAtTime(0.0001, start);
      envelope.gain.exponentialRampToValueAtTime(loudness, start + 0.015);
      envelope.gain.exponentialRampToValueAtTime(0.0001, start + seconds);
      tone.connect(envelope).connect(context.destination);
      tone.start(start);
      tone.stop(start + seconds + 0.05);
    }
  }

  say(text) {
    if (!this.speech || !this.canSpeak || !text) return;
    window.speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.rate = 0.9;
    utterance.lang = document.documentElement.lang || "en";
    window.speechSynthesis.speak(utterance);
  }

  silence() {
    if (this.canSpeak) window.speechSynthesis.cancel();
  }
}
