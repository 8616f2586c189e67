"""Render bench/run.py's results as the plain-text report: one table per section, targets
beside the figures, PASS or FAIL, and errors flagged where nobody can miss them."""

from collections.abc import Sequence


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Columns as wide as their widest cell; the first left-aligned, the others right."""
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = f"{cells[0]:<{widths[0]}}"
        rest = [f"{cell:>{width}}" for cell, width in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return [line(headers), *(line([str(cell) for cell in row]) for row in rows)]


def verdict(passed: bool | None, errors: int = 0, problems: Sequence[str] = ()) -> str:
    """PASS or FAIL, then in capitals what makes the figures themselves suspect."""
    text = "-" if passed is None else "PASS" if passed else "FAIL"
    if errors:
        text += f"  !! {errors} ERRORS (non-2xx/3xx or socket errors) !!"
    for problem in dict.fromkeys(problems):
        text += f"  !! {problem.upper()} !!"
    return text


def both(values: list[float], digits: int = 0) -> str:
    return " / ".join(f"{value:,.{digits}f}" for value in values)


def heading(title: str) -> list[str]:
    return ["", f"== {title}"]


def render_environment(results: dict) -> list[str]:
    env = results.get("environment", {})
    load = env.get("load_average_at_start", [0])[0], env.get("load_average_at_end", [0])[0]
    lines = [
        f"psoasapp benchmark, {results['started_at']}, commit {env.get('git_commit', '?')}",
        f"{env.get('cpus')} CPUs, load average {load[0]:.1f} at start and {load[1]:.1f} at end; "
        f"{results['seconds_per_measurement']:g} s per wrk measurement (-t2 -c16), "
        f"{results.get('total_seconds', 0):.0f} s in all",
        f"Python {env.get('python')}, Django {env.get('django')}, gunicorn {env.get('gunicorn')} "
        f"(gunicorn.conf.py defaults), WhiteNoise {env.get('whitenoise')}, "
        f"nginx {env.get('nginx')}, {env.get('wrk')}, Lighthouse {env.get('lighthouse')}",
        f"Data: {results.get('data', {}).get('scale_data', '?')} to seed_demo's content",
    ]
    if max(load) > 0.5 * (env.get("cpus") or 1):
        lines.append(
            "!! The machine was busy (load average above half its CPUs): other work shares these"
            " cores, so the figures are noisy."
        )
    return lines


def render_pages(rows: list[dict], mode: str, *, with_urls: bool) -> list[str]:
    setting = "page cache on" if mode == "cached" else "PSOASAPP_PAGE_CACHE_SECONDS=0"
    lines = heading(
        f"Pages, {mode} ({setting}): site req/s / bare Django view req/s, two runs each"
    )
    body = []
    for row in rows:
        if "site" not in row:
            body.append([row["page"], f"answered {row['status']}", "", "", "", "", "", "FAIL"])
            continue
        body.append(
            [
                row["page"],
                both([run["requests_per_second"] for run in row["site"]]),
                both([run["requests_per_second"] for run in row["bare"]]),
                f"{row['ratio']:.2f} ({both(row['ratios'], 2)})",
                f"{row['p50_ms']:.1f}",
                f"{row['p99_ms']:.1f}",
                f">= {row['target_ratio']:.2f}, p99 < 50",
                verdict(row["pass"], row["errors"], row["problems"]),
            ]
        )
    headers = ["page", "site req/s", "bare req/s", "ratio (runs)", "p50 ms", "p99 ms"]
    lines += table([*headers, "target", "verdict"], body)
    if with_urls:
        lines += [f"  {row['page']}: {row['url']}" for row in rows]
    return lines


def render_video(results: dict) -> list[str]:
    lines = heading(
        "Video: 50 MiB of random bytes, site /media/ vs nginx, WhiteNoise and a bare WSGI app"
        " serving the file under the same gunicorn (the ceiling for Python there)"
    )
    checks = ", ".join(check["server"] for check in results.get("file_checks", []))
    lines.append(f"Checked byte for byte (a random 1 MiB Range and the whole file): {checks}")
    body = []
    for row in results["video"]:
        measure = "req/s" if row["measure"] == "requests_per_second" else "MB/s"
        for name, entry in row["servers"].items():
            ratios, target, passed = ["", "", ""], "", None
            if name == "site":
                ratios = [
                    f"{row['ratios'][base]['mean']:.2f} ({both(row['ratios'][base]['runs'], 2)})"
                    if base in row["ratios"]
                    else "n/a"
                    for base in ("nginx", "whitenoise", "wsgi")
                ]
                target = f"{measure} >= {row['target_ratio_to_nginx']:.2f} x nginx"
                passed = row.get("pass")
            result = verdict(passed, entry["errors"], entry["problems"])
            body.append(
                [
                    row["case"] if name == "site" else "",
                    name,
                    both([run["requests_per_second"] for run in entry["runs"]]),
                    both([run["megabytes_per_second"] for run in entry["runs"]]),
                    *ratios,
                    target,
                    "" if result == "-" else result,
                ]
            )
    headers = ["case", "server", "req/s", "MB/s", "site/nginx", "site/WhiteNoise", "site/WSGI"]
    headers.append("target")
    return lines + table([*headers, "verdict"], body)


def render_slow(row: dict) -> list[str]:
    lines = heading(
        f"Slow streams: /stretches/ under wrk while {row['clients']} slow clients stream the"
        " video from /media/ (64 KiB every 0.25 s, 16 KiB receive buffer)"
    )
    lines.append(
        f"slow clients connected {row['connected']}/{row['clients']}, receiving during the wrk"
        f" runs {row['receiving_during_wrk']}/{row['clients']},"
        f" {row['megabytes_during_wrk']:.1f} MB received meanwhile"
    )
    if row["receiving_during_wrk"] < row["clients"]:
        lines.append(
            f"  !! only {row['receiving_during_wrk']} of {row['clients']} slow clients were"
            " served during the run: the others waited for a free server thread"
        )
    if row["client_errors"]:
        lines.append(f"  !! slow-client errors: {'; '.join(row['client_errors'][:3])}")
    without = row.get("p99_ms_without_streams")
    body = [
        [
            "/stretches/",
            both([run["requests_per_second"] for run in row["runs"]]),
            f"{row['p50_ms']:.1f}",
            f"{row['p99_ms']:.1f} ({both([run['p99_us'] / 1000 for run in row['runs']], 1)})",
            "-" if without is None else f"{without:.1f}",
            "p99 < 100 ms",
            verdict(row["pass"], row["errors"], row["problems"]),
        ]
    ]
    headers = ["page", "req/s", "p50 ms", "p99 ms (runs)", "p99 ms, no streams", "target"]
    return lines + table([*headers, "verdict"], body)


def render_queries(rows: list[dict]) -> list[str]:
    lines = heading(
        "SQL queries per page (second request, uncached): small (seed_demo) vs scaled data set"
    )
    body = [
        [row["page"], row["small"], row["scaled"], "equal", verdict(row["pass"])] for row in rows
    ]
    lines += table(["page", "small", "scaled", "target", "verdict"], body)
    for row in rows:
        if row["small_url"] != row["scaled_url"]:
            lines.append(f"  {row['page']}: {row['small_url']} (small), {row['scaled_url']}")
        for grown in row.get("grown_queries", []):
            lines.append(f"  !! {row['page']}: {grown['times_more']} more of: {grown['sql']}")
    return lines


def render_bytes(rows: list[dict]) -> list[str]:
    lines = heading(
        "Bytes on the wire per page (Accept-Encoding: br, gzip): the HTML, then every CSS and JS"
        " file it references (stylesheet, modulepreload, script)"
    )
    body = []
    for row in rows:
        target = verdict(row["pass"]) if "pass" in row else ""
        body.append(
            [
                row["page"],
                f"{row['html_bytes']:,}",
                f"{row['html_wire_bytes']:,} ({row['html_encoding']})",
                f"{row['assets_wire_bytes']:,} ({len(row['assets'])} files)",
                f"{row['total_wire_bytes']:,}",
                f"<= {row['target_bytes']:,}" if "target_bytes" in row else "",
                target,
            ]
        )
    headers = ["page", "HTML bytes", "HTML on wire", "CSS+JS on wire", "total on wire"]
    lines += table([*headers, "target", "verdict"], body)
    for row in rows:
        if row["page"] == "session":
            lines.append("  session page before video:")
            lines += [
                f"    {asset['wire_bytes']:>7,} {asset['encoding']:<8} {asset['url']}"
                for asset in row["assets"]
            ]
    return lines


def render_lighthouse(pages: dict, targets: dict) -> list[str]:
    preset = next((page["preset"] for page in pages.values() if "preset" in page), "?")
    lines = heading(f"Lighthouse {next(iter(pages.values())).get('lighthouse', '')}, {preset}")
    keys = list(targets)
    body = []
    for name, page in pages.items():
        if "scores" not in page:
            body.append([name, *["-"] * len(keys), f"FAIL  !! {page.get('error', '')[:80]}"])
            continue
        scores = ["-" if page["scores"][key] is None else page["scores"][key] for key in keys]
        body.append([name, *scores, verdict(page["pass"])])
    target_row = ["target", *(f">= {targets[key]}" for key in keys), ""]
    lines += table(["page", *keys, "verdict"], [target_row, *body])
    broken = set()
    for name, page in pages.items():
        for category, audits in page.get("failing_audits", {}).items():
            for audit in audits:
                lines.append(
                    f"  {name} / {category}: {audit['id']} ({audit['score']:.2f}) {audit['title']}"
                )
        if page.get("runtime_error"):
            lines.append(f"  !! {name}: {page['runtime_error']}")
        broken |= {audit["id"] for audit in page.get("audits_that_errored", [])}
    if broken:
        lines.append(
            f"  Audits Lighthouse could not run on this Chromium (left out of the scores):"
            f" {', '.join(sorted(broken))}"
        )
    return lines


def render(results: dict) -> str:
    lines = render_environment(results)
    modes = [mode for mode in ("uncached", "cached") if f"pages_{mode}" in results]
    for mode in modes:
        lines += render_pages(results[f"pages_{mode}"], mode, with_urls=mode == modes[-1])
    if "video" in results:
        lines += render_video(results)
    if "slow_streams" in results:
        lines += render_slow(results["slow_streams"])
    if "queries" in results:
        lines += render_queries(results["queries"])
    if "bytes" in results:
        lines += render_bytes(results["bytes"])
    if results.get("lighthouse"):
        lines += render_lighthouse(results["lighthouse"], results["targets"]["lighthouse"])
    for note in results.get("notes", []):
        lines += ["", f"NOTE: {note}"]
    if results.get("failures"):
        lines += ["", "!! FAILURES (the run exits non-zero):"]
        lines += [f"!!   {failure}" for failure in results["failures"]]
    return "\n".join(lines)
