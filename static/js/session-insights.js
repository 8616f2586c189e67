// Tightness before and after a session, shown on the done screen and kept in the history, and
// the visitor's choice to share the session with the teacher: one anonymous record, sent only
// when they press the button. Without JavaScript none of it is offered.

import { tightnessElement, updateSession } from "./session-history.js";

const SHARED =
  "Shared, thank you. The teacher sees it among everyone else's, never as yours.";
const OFFLINE = "It could not be sent (no connection?), and nothing was kept. Try again later.";
const REFUSED = "It could not be sent, and nothing was kept.";

/** The value of the checked radio in `fieldset` as a number, or null. */
function ratingIn(fieldset) {
  const checked = fieldset.querySelector("input:checked");
  return checked ? Number(checked.value) : null;
}

function clear(fieldset) {
  for (const input of fieldset.querySelectorAll("input")) input.checked = false;
}

export class SessionInsights {
  constructor(root) {
    const find = (selector) => root.querySelector(selector);
    this.beforeScale = find('[data-tightness="before"]');
    this.afterScale = find('[data-tightness="after"]');
    this.change = find("[data-tightness-change]");
    this.shareForm = find("[data-share]");
    this.shareButton = find("[data-share-button]");
    this.shareStatus = find("[data-share-status]");
    this.session = null;
  }

  mount() {
    this.afterScale.addEventListener("change", () => this.rateAfter());
    this.shareForm.addEventListener("submit", (event) => {
      event.preventDefault();
      this.share();
    });
  }

  /** Start was pressed: the rating chosen before it, if any, belongs to this session. */
  begin() {
    this.before = ratingIn(this.beforeScale);
  }

  /**
   * The session is over. `historyId` is its entry in this browser's history (null when
   * nothing was done, and then nothing is asked or offered).
   */
  end({ historyId, routine, gentle, completed, endedAtStep }) {
    const didSomething = historyId !== null;
    this.session = didSomething
      ? { historyId, routine, gentle, completed, endedAtStep, feeling: null, shared: false }
      : null;
    clear(this.afterScale);
    this.afterScale.hidden = !didSomething;
    this.shareForm.hidden = !didSomething;
    this.shareButton.hidden = false;
    this.shareButton.removeAttribute("aria-disabled");
    this.shareStatus.textContent = "";
    if (didSomething) updateSession(historyId, { before: this.before, after: null });
    this.showChange();
  }

  felt(feeling) {
    if (this.session) this.session.feeling = feeling;
  }

  rateAfter() {
    if (!this.session) return;
    updateSession(this.session.historyId, { after: ratingIn(this.afterScale) });
    this.showChange();
  }

  showChange() {
    const element = tightnessElement(
      this.session ? this.before : null,
      this.session ? ratingIn(this.afterScale) : null,
    );
    this.change.replaceChildren(element);
    this.change.hidden = !element.textContent;
  }

  /** A new session is being set up: its rating starts empty. */
  reset() {
    clear(this.beforeScale);
    this.before = null;
  }

  record() {
    const { routine, gentle, completed, endedAtStep, feeling } = this.session;
    return {
      routine,
      gentle,
      completed,
      ended_at_step: completed ? null : endedAtStep,
      before: this.before,
      after: ratingIn(this.afterScale),
      feeling,
    };
  }

  async share() {
    const session = this.session;
    if (!session || session.shared || this.shareButton.hasAttribute("aria-disabled")) return;
    this.shareButton.setAttribute("aria-disabled", "true");
    this.shareStatus.textContent = "Sending…";
    const token = this.shareForm.querySelector('[name="csrfmiddlewaretoken"]').value;
    let message = OFFLINE;
    try {
      const response = await fetch(this.shareForm.action, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify(this.record()),
        credentials: "same-origin",
      });
      if (response.ok) {
        session.shared = true;
        message = SHARED;
      } else {
        const answer = await response.json().catch(() => ({}));
        message = answer.error ? `${REFUSED} ${answer.error}` : REFUSED;
      }
    } catch {
      // No connection, or the request never reached the site.
    }
    if (session !== this.session) return; // a new session began meanwhile
    this.shareStatus.textContent = message;
    this.shareButton.removeAttribute("aria-disabled");
    if (session.shared) {
      // The button goes once it has done its job; focus stays near, on what happened.
      this.shareButton.hidden = true;
      this.shareStatus.focus();
    }
  }
}
