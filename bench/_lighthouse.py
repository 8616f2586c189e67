"""Lighthouse for the benchmark: the pinned version, installed with npm into bench/.lighthouse
when missing, run on headless Chromium, its report cut down to scores and failing audits."""

import json
import os
import shutil
import subprocess
from pathlib import Path

from _common import kill_group, note, stop

VERSION = "12.2.3"
INSTALL_DIR = Path(__file__).resolve().parent / ".lighthouse"
CLI = INSTALL_DIR / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROME = "/usr/bin/chromium"
# No internet here: without the background-networking flags Chromium floods refused connections.
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu --disable-background-networking "
    "--disable-component-update --disable-sync --no-first-run"
)
CATEGORIES = "performance,accessibility,best-practices,seo"
ATTEMPTS = 3
TIMEOUT_SECONDS = 240


def installed_version() -> str | None:
    manifest = CLI.parent.parent / "package.json"
    if not CLI.exists() or not manifest.exists():
        return None
    return json.loads(manifest.read_text()).get("version")


def lighthouse_install() -> tuple[Path | None, str]:
    """The CLI, installed first when missing; or None and the reason it cannot be had."""
    if installed_version() == VERSION:
        return CLI, ""
    if not shutil.which("npm") or not shutil.which("node"):
        return None, "node and npm are needed (apt-get install -y npm)"
    note(f"installing lighthouse@{VERSION} into {INSTALL_DIR}")
    INSTALL_DIR.mkdir(exist_ok=True)
    command = ["npm", "install", "--no-save", "--no-audit", "--no-fund", "--loglevel=error"]
    command += ["--prefix", str(INSTALL_DIR), f"lighthouse@{VERSION}"]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or installed_version() != VERSION:
        output = (done.stderr or done.stdout).strip()[-1500:]
        return None, f"npm install lighthouse@{VERSION} failed:\n{output}"
    return CLI, ""


def lighthouse_audit(cli: Path, url: str, output: Path, targets: dict[str, int]) -> dict:
    """Scores (0-100) of one page, and the audits that keep a category under its target."""
    command = ["node", str(cli), url, "--quiet", "--output=json", f"--output-path={output}"]
    command += [
        f"--only-categories={CATEGORIES}",
        "--throttling-method=simulate",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    # Chromium's profile goes beside the report, into a folder the benchmark removes.
    env = {**os.environ, "CHROME_PATH": CHROME, "TMPDIR": str(output.parent)}
    log = ""
    # Lighthouse 12.2.3 sometimes misses the navigation in this newer Chromium's trace
    # (NO_NAVSTART), which leaves a category without a score: such a run is tried again.
    for attempt in range(1, ATTEMPTS + 1):
        output.unlink(missing_ok=True)
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            log, _ = process.communicate(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            log = f"timed out after {TIMEOUT_SECONDS} s"
            stop(process, group=True, timeout=5)
        else:
            kill_group(process)  # a Chromium that Lighthouse left behind
        if not output.exists():
            continue
        report = json.loads(output.read_text())
        summary = report_summary(report, targets)
        if None not in summary["scores"].values() or attempt == ATTEMPTS:
            return {**summary, "attempts": attempt}
    return {"error": f"Lighthouse wrote no report: {log.strip()[-1500:]}", "attempts": ATTEMPTS}


def report_summary(report: dict, targets: dict[str, int]) -> dict:
    scores = {
        key: None if category["score"] is None else round(category["score"] * 100)
        for key, category in report["categories"].items()
    }
    failing = {}
    for key, category in report["categories"].items():
        if scores[key] is not None and scores[key] >= targets[key]:
            continue
        audits = [
            {"id": ref["id"], "title": audit["title"], "score": audit["score"]}
            for ref in category["auditRefs"]
            if (audit := report["audits"][ref["id"]]).get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") != "informative"
        ]
        failing[key] = sorted(audits, key=lambda audit: audit["score"])
    settings = report["configSettings"]
    return {
        "scores": scores,
        "pass": all(scores.get(key) is not None and scores[key] >= t for key, t in targets.items()),
        "failing_audits": failing,
        # Audits that crashed on this Chromium are left out of the scores by Lighthouse.
        "audits_that_errored": [
            {"id": key, "error": audit["errorMessage"][:200]}
            for key, audit in report["audits"].items()
            if audit.get("errorMessage")
        ],
        "runtime_error": (report.get("runtimeError") or {}).get("message"),
        "preset": f"{settings['formFactor']} ({settings['throttlingMethod']} throttling)",
        "lighthouse": report["lighthouseVersion"],
    }
