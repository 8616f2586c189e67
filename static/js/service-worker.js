// psoasapp's offline worker, served at /sw.js so its scope covers every page.
// It answers from the copies "Save for offline" put in the Cache API: session pages when the
// network fails, and their files and videos first from the cache. Video Range requests are
// cut from the cached whole file (206 Partial Content), so saved videos play and seek offline.
// Nothing else is cached by the worker itself.

self.addEventListener("install", () => self.skipWaiting());

self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const { request } = event;
  if (request.method !== "GET" || new URL(request.url).origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else if (request.destination !== "") {
    // Scripts, styles, images, video. A page's own fetch() calls (destination "") always
    // go to the network, so saving a session again downloads fresh copies.
    event.respondWith(cacheFirst(request));
  }
});

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (error) {
    // A saved session page, even when opened with a query string (a shared link).
    const saved = await caches.match(request.url, { ignoreVary: true, ignoreSearch: true });
    if (saved) return saved;
    throw error;
  }
}

async function cacheFirst(request) {
  const saved = await caches.match(request.url, { ignoreVary: true });
  if (!saved) return fetch(request);
  const range = request.headers.get("Range");
  return range ? partial(saved, range) : saved;
}

/** Answer a Range header from a whole saved response, as the server would. */
async function partial(response, header) {
  const body = await response.blob();
  const size = body.size;
  const match = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  const [first, last] = match ? [match[1], match[2]] : ["", ""];
  if ((first === "" && last === "") || (first !== "" && last !== "" && +last < +first)) {
    // Not a range we understand (several ranges, another unit, backwards): like the server,
    // answer with the whole file, which is always a valid answer.
    return new Response(body, { status: 200, headers: response.headers });
  }
  let start;
  let end;
  if (first === "") {
    start = Math.max(size - Number(last), 0);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
  }
  if (start >= size || end < start) {
    return new Response(null, {
      status: 416,
      headers: { "Content-Range": `bytes */${size}`, "Accept-Ranges": "bytes" },
    });
  }
  const headers = new Headers(response.headers);
  headers.set("Content-Range", `bytes ${start}-${end}/${size}`);
  headers.set("Content-Length", String(end - start + 1));
  headers.set("Accept-Ranges", "bytes");
  return new Response(body.slice(start, end + 1), {
    status: 206,
    statusText: "Partial Content",
    headers,
  });
}
