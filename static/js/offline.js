// "Save for offline" on a routine page: registers the service worker, then puts the session
// page, every file it loads (its <link> and <script> URLs, so hashed names are right) and the
// routine's videos (in the size the visitor chose) and posters in the Cache API, showing the
// download as it goes.

import { formatBytes } from "./format.js";
import { prefersSmallVideo } from "./video-rendition.js";

// One cache per routine and save, named prefix + slug + time + video size; the service
// worker looks in all of them.
const PREFIX = "psoasapp-offline:";
const SIZE_WORDS = { small: "smaller videos", large: "sharper videos" };

export function setUpOffline(section) {
  // Service workers need HTTPS (or localhost); elsewhere the section stays hidden.
  if (!window.isSecureContext || !("serviceWorker" in navigator) || !("caches" in window)) return;
  new OfflineCopy(section).mount();
}

/** The same-origin files a session page needs: its assets, and the media its plan plays
 * (each video's small rendition if `small`, else its default one). */
export function resourcesOf(html, pageUrl, { small = false } = {}) {
  const page = new DOMParser().parseFromString(html, "text/html");
  const assets = new Set();
  const media = new Set();
  const add = (set, value) => {
    if (!value) return;
    const url = new URL(value, pageUrl);
    if (url.origin === location.origin) set.add(url.href);
  };
  for (const link of page.querySelectorAll("link[href]")) {
    if (/\b(stylesheet|modulepreload|icon)\b/.test(link.getAttribute("rel"))) {
      add(assets, link.getAttribute("href"));
    }
  }
  for (const element of page.querySelectorAll("script[src], img[src]")) {
    add(assets, element.getAttribute("src"));
  }
  const plan = JSON.parse(page.getElementById("session-plan")?.textContent || "{}");
  for (const step of plan.steps ?? []) {
    add(media, (small && step.video?.small_src) || step.video?.src);
    add(media, step.video?.poster);
    add(assets, step.chapters_url); // a small text file, so not in the download count
  }
  return { assets: [...assets], media: [...media] };
}

class OfflineCopy {
  constructor(section) {
    this.section = section;
    this.prefix = `${PREFIX}${section.dataset.slug}:`;
    this.sessionUrl = new URL(section.dataset.sessionUrl, location.href).href;
    this.workerUrl = section.dataset.workerUrl;
    this.mediaBytes = {
      large: Number(section.dataset.mediaBytes) || 0,
      small: Number(section.dataset.smallMediaBytes) || 0,
    };
    // The choice of video size; absent when both sizes come to the same.
    this.sizeInputs = [...section.querySelectorAll("[data-offline-size]")];
    this.saveButton = section.querySelector("[data-offline-save]");
    this.removeButton = section.querySelector("[data-offline-remove]");
    this.progress = section.querySelector("[data-offline-progress]");
    this.bar = this.progress.querySelector("progress");
    this.count = section.querySelector("[data-offline-count]");
    this.status = section.querySelector("[data-offline-status]");
    this.busy = false;
  }

  async mount() {
    this.section.hidden = false;
    this.saveButton.addEventListener("click", () => this.save());
    this.removeButton.addEventListener("click", () => this.remove());
    // The page is the same for everyone (and cached); the likely choice is made here.
    if (prefersSmallVideo(this.section.dataset.smallMedia)) this.choose("small");
    await this.showSaved();
  }

  /** The video size chosen: "small" or "large". */
  chosenSize() {
    return this.sizeInputs.find((input) => input.checked)?.value ?? "large";
  }

  choose(size) {
    for (const input of this.sizeInputs) input.checked = input.value === size;
  }

  async ownCaches() {
    return (await caches.keys()).filter((name) => name.startsWith(this.prefix));
  }

  /** The newest complete copy of this routine and its video size, if there is one. */
  async savedCopy() {
    for (const name of (await this.ownCaches()).sort().reverse()) {
      const cache = await caches.open(name);
      const size = name.endsWith(":small") ? "small" : "large";
      if (await cache.match(this.sessionUrl)) return { cache, size };
    }
    return null;
  }

  async showSaved(suffix = "") {
    const saved = await this.savedCopy();
    this.removeButton.hidden = !saved;
    this.saveButton.textContent = saved ? "Update the offline copy" : "Save for offline";
    if (!saved) return;
    this.choose(saved.size);
    // The copy is only useful with a worker to serve it; registering again is harmless.
    navigator.serviceWorker.register(this.workerUrl, { scope: "/" }).catch(() => {});
    const bytes = await storedBytes(saved.cache);
    const words = this.sizeInputs.length ? `, ${SIZE_WORDS[saved.size]}` : "";
    this.status.textContent =
      `Saved for offline on this device (${formatBytes(bytes)}${words}).${suffix}`;
  }

  async save() {
    if (this.busy) return;
    this.busy = true;
    this.saveButton.setAttribute("aria-disabled", "true");
    this.status.textContent = "Saving the session for offline use…";
    const size = this.chosenSize();
    this.showProgress(0, size);
    this.progress.hidden = false;
    const name = `${this.prefix}${Date.now()}:${size}`;
    try {
      await navigator.serviceWorker.register(this.workerUrl, { scope: "/" });
      const cache = await caches.open(name);
      const page = await fetch(this.sessionUrl, { cache: "no-cache" });
      if (!page.ok) throw new Error(`The session page answered ${page.status}.`);
      const { assets, media } = resourcesOf(await page.clone().text(), this.sessionUrl, {
        small: size === "small",
      });
      await Promise.all(assets.map((url) => store(cache, url)));
      let loaded = 0;
      for (const url of media) {
        await store(cache, url, (bytes) => {
          loaded += bytes;
          this.showProgress(loaded, size);
        });
      }
      // The page goes in last: a copy with its page is a complete copy. The other size,
      // saved before, goes with the older copies.
      await cache.put(this.sessionUrl, page);
      for (const old of await this.ownCaches()) if (old !== name) await caches.delete(old);
      // Ask the browser not to evict the copy when space runs low.
      await navigator.storage?.persist?.().catch(() => false);
      await this.showSaved(" The session now works with the network off.");
    } catch {
      await caches.delete(name);
      this.status.textContent =
        "The session could not be saved. Check the connection and the free space, then try again.";
    } finally {
      this.busy = false;
      this.saveButton.removeAttribute("aria-disabled");
      this.progress.hidden = true;
    }
  }

  showProgress(loaded, size) {
    const total = Math.max(this.mediaBytes[size], loaded, 1);
    this.bar.max = total;
    this.bar.value = loaded;
    this.count.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`;
  }

  async remove() {
    for (const name of await this.ownCaches()) await caches.delete(name);
    const others = (await caches.keys()).some((name) => name.startsWith(PREFIX));
    if (!others) {
      const registration = await navigator.serviceWorker.getRegistration("/");
      await registration?.unregister();
    }
    await this.showSaved();
    this.status.textContent = "The offline copy is removed from this device.";
    this.saveButton.focus(); // the button that was pressed has gone
  }
}

/** Fetch `url` into `cache`, telling `onBytes` about each piece of the body as it arrives. */
async function store(cache, url, onBytes) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url} answered ${response.status}.`);
  if (!onBytes || !response.body) {
    await cache.put(url, response);
    return;
  }
  const [counted, kept] = response.body.tee();
  const copy = new Response(kept, {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
  const count = async () => {
    const reader = counted.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      onBytes(value.byteLength);
    }
  };
  await Promise.all([cache.put(url, copy), count()]);
}

async function storedBytes(cache) {
  let total = 0;
  for (const request of await cache.keys()) {
    const response = await cache.match(request);
    total += (await response.blob()).size;
  }
  return total;
}
