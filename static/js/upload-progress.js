// Upload progress for the admin's video form: percent, amount sent and time left while the
// file goes up, a size check before any of it is sent, and a way to cancel.
//
// The form is sent with XMLHttpRequest because fetch() cannot report upload progress. The
// admin answers a successful save with {"location": …} (instead of a redirect the request
// would follow silently), and a form with errors as the usual HTML page, which replaces this
// one. Without JavaScript the plain form posts as usual. A classic script (not a module) so
// that it runs again when an error page is written over the document.
(function () {
  "use strict";

  const UNITS = ["bytes", "KB", "MB", "GB", "TB"];

  /** 2576980378 → "2.4 GB", in the same 1024-based units as the server's messages. */
  function formatSize(bytes) {
    let size = bytes;
    let unit = 0;
    while (size >= 1024 && unit < UNITS.length - 1) {
      size /= 1024;
      unit += 1;
    }
    if (unit === 0) return `${bytes} bytes`;
    return `${size.toFixed(1).replace(/\.0$/, "")} ${UNITS[unit]}`;
  }

  function formatTimeLeft(seconds) {
    if (!Number.isFinite(seconds)) return "";
    if (seconds < 10) return "a few seconds left";
    if (seconds < 90) return `about ${Math.round(seconds / 5) * 5} seconds left`;
    const minutes = Math.round(seconds / 60);
    if (minutes < 90) return `about ${minutes} minutes left`;
    return `about ${Math.round(minutes / 6) / 10} hours left`;
  }

  class UploadProgress {
    constructor(form, panel) {
      this.form = form;
      this.panel = panel;
      this.bar = panel.querySelector("progress");
      this.status = panel.querySelector(".upload-progress__status");
      this.cancel = panel.querySelector("[data-upload-cancel]");
      this.request = null;
      this.lastText = 0;

      form.addEventListener("submit", (event) => this.submit(event));
      this.cancel.addEventListener("click", () => this.request && this.request.abort());
      for (const input of this.form.querySelectorAll("input[type=file]")) {
        input.addEventListener("change", () => {
          this.clearOldErrors(input);
          if (input.dataset.maxBytes) this.checkSize(input);
        });
        // A file chosen before this deferred script ran fired its change event unheard.
        if (input.files.length && input.dataset.maxBytes) this.checkSize(input);
      }
      window.addEventListener("beforeunload", (event) => {
        if (this.request) event.preventDefault(); // leaving would throw the upload away
      });
    }

    limitedInputs() {
      return this.form.querySelectorAll("input[type=file][data-max-bytes]");
    }

    hasFiles() {
      return [...this.form.querySelectorAll("input[type=file]")].some(
        (input) => input.files && input.files.length > 0,
      );
    }

    /** A newly chosen file makes the server's complaint about the previous one stale. */
    clearOldErrors(input) {
      const row = input.closest(".form-row");
      if (!row) return;
      for (const list of row.querySelectorAll(".errorlist")) list.remove();
      row.classList.remove("errors");
      for (const field of row.querySelectorAll(".errors")) field.classList.remove("errors");
      if (!this.form.querySelector(".errorlist")) {
        for (const note of this.form.querySelectorAll("p.errornote")) note.remove();
      }
    }

    /** Refuse a file over the limit before sending any of it; true when it is fine. */
    checkSize(input) {
      const limit = Number(input.dataset.maxBytes);
      const file = input.files && input.files[0];
      let error = input.parentElement.querySelector(".upload-size-error");
      if (!file || !limit || file.size <= limit) {
        if (error) error.remove();
        input.removeAttribute("aria-invalid");
        return true;
      }
      if (!error) {
        error = document.createElement("p");
        error.className = "upload-size-error errornote";
        error.setAttribute("role", "alert");
        error.id = `${input.id}-size-error`;
        input.insertAdjacentElement("afterend", error);
        input.setAttribute("aria-describedby", error.id);
      }
      input.setAttribute("aria-invalid", "true");
      error.textContent = `This file is ${formatSize(file.size)}; the limit is ${formatSize(limit)}.`;
      return false;
    }

    submit(event) {
      if (!this.hasFiles() || this.request) return; // nothing to upload: a plain post
      event.preventDefault();
      const tooLarge = [...this.limitedInputs()].filter((input) => !this.checkSize(input));
      if (tooLarge.length) {
        tooLarge[0].focus();
        return;
      }
      const data = new FormData(this.form);
      // FormData leaves out the button that was pressed ("Save and continue editing"…).
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      this.send(data);
    }

    send(data) {
      const request = new XMLHttpRequest();
      this.request = request;
      const started = performance.now();
      request.open("POST", this.form.action || window.location.href);
      request.setRequestHeader("X-Upload-Progress", "1");
      request.upload.addEventListener("progress", (event) => this.progress(event, started));
      request.upload.addEventListener("load", () => {
        this.show(100, "Upload complete. Checking the video…");
      });
      request.addEventListener("load", () => this.finished(request));
      request.addEventListener("error", () =>
        this.stopped(
          "The upload stopped: the connection to the site was lost. Check the connection and try again.",
        ),
      );
      request.addEventListener("abort", () => this.stopped("Upload cancelled."));
      this.setBusy(true);
      this.show(0, "Starting the upload…");
      request.send(data);
    }

    progress(event, started) {
      if (!event.lengthComputable) return;
      const percent = Math.floor((event.loaded / event.total) * 100);
      this.bar.value = percent;
      // Screen readers hear the live text; a few updates a second is plenty.
      const now = performance.now();
      if (now - this.lastText < 250 && event.loaded < event.total) return;
      this.lastText = now;
      const seconds = (now - started) / 1000;
      const rate = event.loaded / Math.max(seconds, 0.001);
      const left = seconds > 1 ? formatTimeLeft((event.total - event.loaded) / rate) : "";
      const sent = `${formatSize(event.loaded)} of ${formatSize(event.total)} sent`;
      this.show(percent, [`${percent} %`, sent, left].filter(Boolean).join(" · "));
    }

    finished(request) {
      this.request = null;
      const type = request.getResponseHeader("Content-Type") || "";
      if (type.startsWith("application/json")) {
        const { location } = JSON.parse(request.responseText);
        window.location.assign(location);
        return;
      }
      if (type.startsWith("text/html")) {
        // The form again with its errors (or an error page): show it as a plain post would.
        document.open();
        document.write(request.responseText);
        document.close();
        return;
      }
      this.stopped(`The site answered with an error (${request.status}). Please try again.`);
    }

    stopped(message) {
      this.request = null;
      this.setBusy(false);
      this.show(0, message);
      this.bar.hidden = true;
    }

    show(percent, text) {
      this.panel.hidden = false;
      this.bar.hidden = false;
      this.bar.value = percent;
      this.status.textContent = text;
    }

    setBusy(busy) {
      this.cancel.hidden = !busy;
      this.form.setAttribute("aria-busy", String(busy));
      for (const button of this.form.querySelectorAll("[type=submit]")) {
        button.disabled = busy;
      }
    }
  }

  function start() {
    const panel = document.querySelector("[data-upload-progress]");
    const form = panel && panel.closest("form");
    if (form) new UploadProgress(form, panel);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
