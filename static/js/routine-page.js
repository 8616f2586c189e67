// The routine page: "Save for offline", and the visitor's last sessions of this routine.

import { setUpOffline } from "./offline.js";
import { renderHistory } from "./session-history.js";

const offline = document.querySelector("[data-offline]");
if (offline) setUpOffline(offline);

const history = document.querySelector("[data-session-history]");
if (history) {
  renderHistory(history);
  // Back from a session (bfcache) or one finished in another tab: show it.
  window.addEventListener("pageshow", () => renderHistory(history));
  window.addEventListener("storage", () => renderHistory(history));
}
