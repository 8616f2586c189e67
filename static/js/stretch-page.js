// The stretch page: its cues follow the demo video, and "Announce cues" is remembered here.

import { CueSync } from "./cue-sync.js";

const ANNOUNCE_KEY = "psoasapp:announce-cues";

function remembered() {
  try {
    return localStorage.getItem(ANNOUNCE_KEY) === "1";
  } catch {
    return false; // storage turned off: the choice lasts as long as the page
  }
}

function remember(on) {
  try {
    if (on) localStorage.setItem(ANNOUNCE_KEY, "1");
    else localStorage.removeItem(ANNOUNCE_KEY);
  } catch {
    // Nothing to keep it in; the box still works on this page.
  }
}

const root = document.querySelector("[data-cue-sync]");
const video = root?.querySelector("video");
const list = root?.querySelector("[data-cues]");
if (video && list) {
  const controls = root.querySelector("[data-cue-controls]");
  const toggle = root.querySelector("[data-cue-announce]");
  const sync = new CueSync(video, list, {
    announcer: root.querySelector("[data-cue-announcer]"),
    hint: root.querySelector("#cue-hint"),
  });
  toggle.checked = remembered();
  sync.announce = toggle.checked;
  toggle.addEventListener("change", () => {
    sync.announce = toggle.checked;
    remember(toggle.checked);
  });
  controls.hidden = false;
}
