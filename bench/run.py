"""`make bench`: build-time MathJax SVG ("ours") against Material's stock in-browser MathJax 3 ("stock").

Both setups build the same docs; the stock config is derived from mkdocs.yml at run time (our MathJax
hook dropped, MathJax 3 self-hosted through a theme overlay made of bench/stock/ plus mathjax@3's es5/).
Each is measured on the FC page (linear/): build times, gzip bytes served, time until all math is
drawn in headless Chromium, and Lighthouse scores. Writes bench/results.md; exits 0 even if a goal is missed.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
FORMULA_CACHE = ROOT / ".cache" / "mathjax"
MATHJAX3 = ROOT / "node_modules" / "mathjax3" / "es5"
STOCK_SCRIPT = "assets/mathjax/tex-mml-chtml.js"  # the file Material's docs use
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PAGE, LOADS, WARM_BUILDS = "linear/", 5, 3
NO_OFF_HOST = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
CHROMIUM_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", NO_OFF_HOST)
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CHROME_PATH": CHROMIUM}
SHOWN = {"cold build": "{:.2f} s", "warm build": "{:.2f} s",
         "page bytes": "{:.1f} KiB", "time to math": "{:.0f} ms"}
Figures = dict[str, dict[str, float]]  # e.g. figure -> setup -> value
GOALS = {"time to math": 0.3, "page bytes": 0.5, "warm build": 1.5}  # ours/stock must not exceed

# Injected before any page script; records performance.now() (ms since navigation start) at the first
# animation frame where all N formulas have a non-empty box, their fonts (if any) have loaded and MathJax
# (if any) has finished its start-up typesetting.
MATH_DRAWN_JS = """(() => {
  const expected = %d, start = performance.now();
  let hooked = false, settled = false;
  const typesetting = () => {  // true until MathJax, if the page has it, has done its start-up typeset
    const mj = window.MathJax;
    if (!hooked && mj?.startup?.promise) {
      hooked = true;
      mj.startup.promise.then(() => { settled = true; });
    }
    return mj !== undefined && !settled;
  };
  const drawn = () => {
    const boxes = document.querySelectorAll('mjx-container');
    return boxes.length === expected && Array.from(boxes).every(box => {
      const out = box.querySelector('svg, mjx-math');
      const r = out && out.getBoundingClientRect();
      return Boolean(r && r.width > 0 && r.height > 0);
    }) && document.fonts.status === 'loaded';
  };
  const poll = () => {
    if (!typesetting() && drawn()) window.__mathDrawn = performance.now();
    else if (performance.now() - start < 30000) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
})();"""
PARSED_JS = "return performance.getEntriesByType('navigation')[0].domInteractive"

# Counting errors is not enough (field notes): every numerator must sit above its denominator, no formula
# may be typeset twice, and CHTML glyphs (drawn by CSS ::before from MathJax's fonts) must have width.
MATH_PROBLEMS_JS = """
const problems = Array.from(document.querySelectorAll('[data-mml-node="merror"], mjx-merror'),
  e => 'merror: ' + e.textContent.slice(0, 80));
const fracs = document.querySelectorAll('mjx-container g[data-mml-node="mfrac"], mjx-container mjx-mfrac');
for (const frac of fracs) {
  const [num, den] = (frac.localName === 'g'
    ? Array.from(frac.children).filter(g => g.hasAttribute('data-mml-node'))
    : [frac.querySelector(':scope > mjx-frac > mjx-num'),
       frac.querySelector(':scope > mjx-frac > mjx-dbox > mjx-dtable > mjx-row > mjx-den')]
  ).map(part => part && part.getBoundingClientRect());
  if (!num || !den || !(num.height > 0 && den.height > 0) || num.bottom > den.top + 1)
    problems.push('fraction not stacked: ' + frac.closest('mjx-container').textContent.slice(0, 60));
}
if (!fracs.length) problems.push('no fraction drawn');
const nested = document.querySelectorAll('mjx-container mjx-container').length;
if (nested) problems.push(`${nested} formulas typeset twice (mjx-container inside mjx-container)`);
const glyphs = Array.from(document.querySelectorAll('mjx-container mjx-c'));
const blank = glyphs.filter(c => !(c.getBoundingClientRect().width > 0)).length;
// a few are legitimately empty (e.g. U+2061 function application); a broken font load empties most
if (blank > glyphs.length / 10) problems.push(`${blank} of ${glyphs.length} CHTML glyphs have no width`);
return problems;
"""


# --- configs and builds ----------------------------------------------------------------------------


def yaml_list(text: str, key: str) -> list[str]:
    """Items of a top-level block list in mkdocs.yml, e.g. `hooks:` followed by `  - hooks/x.py` lines."""
    block = re.search(rf"^{key}:[ \t]*\n((?:[ \t]+-.*\n?)+)", text, re.MULTILINE)
    return re.findall(r"-\s*(\S+)", block[1]) if block else []


def stock_config(tmp: Path) -> Path:
    """mkdocs.yml minus our MathJax hook and CSS, plus MathJax 3 from a theme overlay (copied by mkdocs)."""
    text = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    custom_dir = re.search(r"^theme:\n(?:[ \t]+.*\n)*?[ \t]+custom_dir:\s*(\S+)", text, re.MULTILINE)
    overlay = tmp / "stock-theme"
    if custom_dir:
        shutil.copytree(ROOT / custom_dir[1], overlay)
    shutil.copytree(ROOT / "bench" / "stock", overlay, dirs_exist_ok=True)
    shutil.copytree(MATHJAX3, overlay / "assets" / "mathjax")
    overrides = {
        "INHERIT": str(ROOT / "mkdocs.yml"),
        "docs_dir": str(ROOT / "docs"),
        "theme": {"custom_dir": str(overlay)},
        "hooks": [str(ROOT / h) for h in yaml_list(text, "hooks") if Path(h).name != "mathjax.py"],
        "extra_css": [c for c in yaml_list(text, "extra_css") if c != "assets/mathjax.css"],
        "extra_javascript": [*yaml_list(text, "extra_javascript"), "javascripts/mathjax-config.js",
                             STOCK_SCRIPT],
    }
    config = tmp / "mkdocs-stock.yml"
    config.write_text("".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in overrides.items()),
                      encoding="utf-8")
    return config


def build(config: Path, site: Path) -> float:
    """Wall time of one `mkdocs build --strict` in a fresh process."""
    started = time.perf_counter()
    # Not --quiet: it drops the warnings that --strict counts, so a broken link would build "cleanly".
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=300)
    elapsed = time.perf_counter() - started
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    if done.returncode != 0 or warnings:
        sys.exit(f"mkdocs build -f {config} failed:\n{done.stderr[-3000:]}")
    return elapsed


@contextmanager
def formula_cache_set_aside() -> Iterator[None]:
    """Move .cache/mathjax aside so a build is cold; put it back afterwards whatever happens.

    Entries the cold build adds are kept, so the warm builds are warm even if docs/ changed lately."""
    aside = FORMULA_CACHE.with_name(f"mathjax.bench-aside-{os.getpid()}")
    had_cache = FORMULA_CACHE.exists()
    if had_cache:
        FORMULA_CACHE.rename(aside)
    try:
        yield
    finally:
        if had_cache:
            for entry in FORMULA_CACHE.glob("*.html"):
                if not (aside / entry.name).exists():
                    entry.replace(aside / entry.name)
            shutil.rmtree(FORMULA_CACHE, ignore_errors=True)
            aside.rename(FORMULA_CACHE)


def measure_builds(configs: dict[str, Path], tmp: Path) -> tuple[Figures, dict[str, Path]]:
    times: dict[str, dict[str, Any]] = {name: {"warm": []} for name in configs}
    sites = {name: tmp / f"site-{name}-cold" for name in configs}
    with formula_cache_set_aside():
        for name, config in configs.items():
            times[name]["cold"] = build(config, sites[name])
    for i in range(WARM_BUILDS):  # interleaved, so drift on the machine hits both setups alike
        for name, config in configs.items():
            sites[name] = tmp / f"site-{name}-warm{i}"
            times[name]["warm"].append(build(config, sites[name]))
    return {n: {"cold": t["cold"], "warm": statistics.median(t["warm"])} for n, t in times.items()}, sites


# --- local server that gzips like a static host and counts what it sends -----------------------------


def counting_handler(directory: Path, sent: list[tuple[str, int]]) -> type[SimpleHTTPRequestHandler]:
    class Handler(SimpleHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(directory), **kwargs)

        def do_GET(self) -> None:
            path = Path(self.translate_path(self.path))
            if path.is_dir() and self.path.split("?")[0].endswith("/"):
                path = path / "index.html"
            if not path.is_file():
                sent.append((self.path, -1))  # redirect or 404: flagged in the report
                return super().do_GET()
            body, kind = path.read_bytes(), self.guess_type(str(path))
            zipped = kind.startswith(GZIP_TYPES) and "gzip" in self.headers.get("Accept-Encoding", "")
            if zipped:
                body = gzip.compress(body, compresslevel=6, mtime=0)
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            if zipped:
                self.send_header("Content-Encoding", "gzip")
            self.end_headers()
            self.wfile.write(body)
            sent.append((self.path, len(body)))

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(directory: Path) -> Iterator[tuple[int, list[tuple[str, int]]]]:
    sent: list[tuple[str, int]] = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), counting_handler(directory, sent))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield httpd.server_address[1], sent
    finally:
        httpd.shutdown()
        httpd.server_close()


# --- browser -----------------------------------------------------------------------------------------


def load(port: int, sent: list[tuple[str, int]], formulas: int, check: bool) -> dict[str, Any]:
    """One first visit with a fresh profile: ms to all math drawn, bytes served until the network is idle."""
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as profile:
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in (*CHROMIUM_ARGS, f"--user-data-dir={profile}"):
            options.add_argument(arg)
        driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        try:
            script = {"source": MATH_DRAWN_JS % formulas}
            driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", script)
            first = len(sent)
            driver.get(f"http://127.0.0.1:{port}/{PAGE}")
            drawn, deadline = None, time.monotonic() + 30
            while drawn is None and time.monotonic() < deadline:
                drawn = driver.execute_script("return window.__mathDrawn ?? null")
                time.sleep(0.1)
            quiet, count, deadline = time.monotonic(), len(sent), time.monotonic() + 15
            while time.monotonic() - quiet < 1.5 and time.monotonic() < deadline:
                time.sleep(0.1)
                if len(sent) != count:
                    quiet, count = time.monotonic(), len(sent)
            problems = driver.execute_script(MATH_PROBLEMS_JS) if check else []
            parsed = driver.execute_script(PARSED_JS)
        finally:
            driver.quit()
    served = sent[first:]
    if drawn is None:
        problems.append(f"math never fully drawn ({formulas} formulas expected)")
    missing = [path for path, size in served if size < 0]
    total = sum(max(size, 0) for _, size in served)
    return {"ms": drawn, "dom": parsed, "bytes": total, "served": served, "missing": missing,
            "problems": problems}


def lighthouse(port: int, tmp: Path, name: str) -> dict[str, float]:
    out = tmp / f"lighthouse-{name}.json"
    rules = NO_OFF_HOST.split("=", 1)[1]  # quoted: Lighthouse splits --chrome-flags at spaces
    flags = [*(a for a in CHROMIUM_ARGS if a != NO_OFF_HOST), f'--host-resolver-rules="{rules}"']
    done = subprocess.run([str(ROOT / "node_modules" / ".bin" / "lighthouse"), f"http://127.0.0.1:{port}/{PAGE}",
                           "--output=json", f"--output-path={out}", "--quiet", "--preset=desktop",
                           "--only-categories=performance,accessibility,best-practices,seo",
                           f"--chrome-path={CHROMIUM}", f"--chrome-flags={' '.join(flags)}"],
                          env=ENV, capture_output=True, text=True, timeout=240)
    if done.returncode != 0:
        sys.exit(f"lighthouse failed on {name}:\n{done.stderr[-3000:]}")
    categories = json.loads(out.read_text(encoding="utf-8"))["categories"]
    return {f"Lighthouse {k}": round(100 * v["score"]) for k, v in categories.items()}


# --- report ------------------------------------------------------------------------------------------


def versions() -> str:
    chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
    npm = {p: json.loads((ROOT / "node_modules" / p / "package.json").read_text())["version"]
           for p in ("mathjax", "mathjax3", "lighthouse")}
    return (f"{chromium}; mkdocs {version('mkdocs')}, mkdocs-material {version('mkdocs-material')}, "
            f"pymdown-extensions {version('pymdown-extensions')}; MathJax {npm['mathjax']} (ours, at build), "
            f"MathJax {npm['mathjax3']} (stock, `{STOCK_SCRIPT}`); Lighthouse {npm['lighthouse']}")


def report(rows: Figures, notes: list[str]) -> tuple[str, str]:
    """The Markdown results and a one-line verdict on the goals."""
    lines = ["| figure | ours | stock | ours/stock | goal |", "|---|---|---|---|---|"]
    missed = []
    for figure, values in rows.items():
        ratio = values["ours"] / values["stock"] if values["stock"] else float("nan")
        goal = GOALS.get(figure)
        verdict = "" if goal is None else f"≤ {goal}x: " + ("met" if ratio <= goal else "**MISSED**")
        if goal is not None and not ratio <= goal:
            missed.append(f"{figure} (ours/stock {ratio:.2f}, goal ≤ {goal})")
        ours, stock = (SHOWN.get(figure, "{:g}").format(values[n]) for n in ("ours", "stock"))
        lines.append(f"| {figure} | {ours} | {stock} | {ratio:.2f} | {verdict} |")
    summary = f"MISSED: {'; '.join(missed)}" if missed else "All goals met."
    load_1, _, load_15 = os.getloadavg()  # other work on the machine skews every figure
    head = ["# Benchmark: build-time MathJax (ours) vs stock Material + MathJax 3 in the browser", "",
            f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- machine: {os.cpu_count()} CPUs (nproc), {platform.platform()}; load average at the end "
            f"{load_1:.1f} (1 min), {load_15:.1f} (15 min)", f"- versions: {versions()}",
            f"- page: `/{PAGE}`; builds: cold once, warm median of {WARM_BUILDS}; "
            f"time to math: median of {LOADS} loads, fresh profile each", ""]
    tail = ["", f"**{summary}**", "", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join([*head, *lines, *tail]) + "\n", summary


def load_notes(name: str, runs: list[dict[str, Any]]) -> list[str]:
    problems = sorted({p for run in runs for p in run["problems"]})
    passed = f"{name}: math checks passed (no merror, fractions stacked, none typeset twice)"
    notes = [f"{name}: PROBLEM {p}" for p in problems] or [passed]
    missing = sorted({p for run in runs for p in run["missing"]})
    if missing:
        notes.append(f"{name}: requests the site cannot serve (404 or redirect): {', '.join(missing)}")
    biggest = sorted(runs[0]["served"], key=lambda s: -s[1])[:4]
    notes.append(f"{name}: {len(runs[0]['served'])} responses; largest (gzip): "
                 + ", ".join(f"`{p}` {b / 1024:.1f} KiB" for p, b in biggest))
    times = ", ".join(f"{r['ms']:.0f}" if r["ms"] is not None else "never" for r in runs)
    parsed = median([r["dom"] for r in runs])
    return [*notes, f"{name}: time to math per load: {times} ms; "
                    f"HTML parsed (domInteractive): median {parsed:.0f} ms"]


def median(values: list[float | None]) -> float:
    known = [v for v in values if v is not None]
    return statistics.median(known) if len(known) == len(values) else float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        configs = {"ours": ROOT / "mkdocs.yml", "stock": stock_config(tmp)}
        print("building (cold, then warm) ...", flush=True)
        builds, sites = measure_builds(configs, tmp)
        html = {n: (s / PAGE / "index.html").read_text(encoding="utf-8") for n, s in sites.items()}
        formulas = {"ours": html["ours"].count("<mjx-container"),
                    "stock": html["stock"].count('class="arithmatex"')}
        notes = [f"formulas on the page: ours {formulas['ours']} `mjx-container` in the HTML, "
                 f"stock {formulas['stock']} arithmatex elements for MathJax to typeset"]
        if formulas["ours"] != formulas["stock"]:
            notes.append("PROBLEM: the two pages differ in formulas (did docs/ change during the run?)")
        loads: dict[str, list[dict[str, Any]]] = {n: [] for n in configs}
        scores: Figures = {}
        with serve(sites["ours"]) as ours, serve(sites["stock"]) as stock:
            servers = {"ours": ours, "stock": stock}
            print(f"loading /{PAGE} {LOADS}x per setup in headless Chromium ...", flush=True)
            for i in range(LOADS):  # interleaved, like the builds
                for name, (port, sent) in servers.items():
                    loads[name].append(load(port, sent, formulas[name], check=i == 0))
            print("running Lighthouse ...", flush=True)
            for name, (port, _) in servers.items():
                scores[name] = lighthouse(port, tmp, name)
    for name, runs in loads.items():
        notes += load_notes(name, runs)
    rows = {
        "cold build": {n: builds[n]["cold"] for n in configs},
        "warm build": {n: builds[n]["warm"] for n in configs},
        "page bytes": {n: median([r["bytes"] for r in loads[n]]) / 1024 for n in configs},
        "time to math": {n: median([r["ms"] for r in loads[n]]) for n in configs},
        **{k: {n: scores[n][k] for n in configs} for k in scores["ours"]},
    }
    markdown, summary = report(rows, notes)
    RESULTS.write_text(markdown, encoding="utf-8")
    print(markdown)
    print(summary)


if __name__ == "__main__":
    main()
