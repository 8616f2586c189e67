// Keep the screen on while a session runs, so nobody has to reach for the phone.
// The browser drops the lock whenever the page is hidden; it is taken again on return.

export class WakeLock {
  constructor() {
    this.wanted = false;
    this.sentinel = null;
    this.pending = null;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.acquire();
    });
  }

  get supported() {
    return "wakeLock" in navigator;
  }

  hold() {
    this.wanted = true;
    return this.acquire();
  }

  async release() {
    this.wanted = false;
    const sentinel = this.sentinel;
    this.sentinel = null;
    if (sentinel) await sentinel.release().catch(() => {});
  }

  async acquire() {
    if (!this.wanted || this.sentinel || this.pending || !this.supported) return;
    if (document.visibilityState !== "visible") return;
    this.pending = navigator.wakeLock.request("screen");
    try {
      const sentinel = await this.pending;
      sentinel.addEventListener("release", () => {
        if (this.sentinel === sentinel) this.sentinel = null;
      });
      this.sentinel = sentinel;
      // Paused or ended while the request was on its way.
      if (!this.wanted) await this.release();
    } catch {
      // Refused (battery saver, a policy): the session runs all the same.
    } finally {
      this.pending = null;
    }
  }
}
