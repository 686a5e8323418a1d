"""`make bench`: build-time MathJax SVG ("ours") against Material's stock in-browser MathJax 3 ("stock").

Both setups build the same docs; the stock config is derived from mkdocs.yml at run time (our MathJax
hook dropped, MathJax 3 self-hosted through a theme overlay made of bench/stock/ plus mathjax@3's es5/).
Each is measured on the whole site: cold and warm `mkdocs build --strict`, the `mkdocs serve` rebuild
after one page is edited (full, and with --dirty), and the largest built page; and on the FC page
(linear/): gzip bytes served, time until all math is drawn in headless Chromium, and Lighthouse scores.
Writes bench/results.md; exits 0 even if a goal is missed.
"""

from __future__ import annotations

import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
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
from urllib.request import urlopen

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.md"
# What a cold build starts without: typeset formulas (hooks/mathjax.py) and executed notebooks
# (mkdocs-jupyter). jieba's dictionary cache lives in $TMPDIR, which a cold build gets fresh.
CACHES = (ROOT / ".cache" / "mathjax", ROOT / ".cache" / "mkdocs-jupyter")
MATHJAX3 = ROOT / "node_modules" / "mathjax3" / "es5"
STOCK_SCRIPT = "assets/mathjax/tex-mml-chtml.js"  # the file Material's docs use
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
PAGE, LOADS, WARM_BUILDS = "linear/", 5, 3
EDITED, SERVE_EDITS = ROOT / "docs" / "linear.md", 5  # the page `mkdocs serve` rebuilds, and how often
EDIT_LIMIT = 180  # seconds for `mkdocs serve` to show one edit
NO_OFF_HOST = "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"
CHROMIUM_ARGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,900", NO_OFF_HOST)
GZIP_TYPES = ("text/", "application/javascript", "application/json", "image/svg+xml", "application/xml")
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "CHROME_PATH": CHROMIUM}
SERVE_MODES = {"serve rebuild": (), "serve rebuild --dirty": ("--dirty",)}
SHOWN = {"cold build": "{:.2f} s", "warm build": "{:.2f} s", **dict.fromkeys(SERVE_MODES, "{:.2f} s"),
         "largest page": "{:.0f} KiB", "largest page gzip": "{:.1f} KiB",
         "page bytes": "{:.1f} KiB", "time to math": "{:.0f} ms"}
Figures = dict[str, dict[str, float]]  # e.g. figure -> setup -> value
GOALS = {"time to math": 0.3, "page bytes": 0.5, "warm build": 1.5}  # ours/stock must not exceed
LIMITS = dict.fromkeys(SERVE_MODES, 2.0)  # seconds; ours must stay under

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


def build(config: Path, site: Path, env: dict[str, str] = ENV) -> float:
    """Wall time of one `mkdocs build --strict` of the whole site in a fresh process."""
    started = time.perf_counter()
    # Not --quiet: it drops the warnings that --strict counts, so a broken link would build "cleanly".
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(config),
                           "-d", str(site)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    elapsed = time.perf_counter() - started
    warnings = [line for line in done.stderr.splitlines() if line.startswith("WARNING")]
    if done.returncode != 0 or warnings:
        sys.exit(f"mkdocs build -f {config} failed:\n{done.stderr[-3000:]}")
    return elapsed


@contextmanager
def caches_set_aside() -> Iterator[None]:
    """Move the CACHES aside so a build is cold; put them back afterwards whatever happens.

    Entries the cold build adds are kept, so the warm builds are warm even if docs/ changed lately."""
    asides = {c: c.with_name(f"{c.name}.bench-aside-{os.getpid()}") for c in CACHES if c.exists()}
    for cache, aside in asides.items():
        cache.rename(aside)
    try:
        yield
    finally:
        for cache, aside in asides.items():
            keep_new_entries(cache, aside)
            shutil.rmtree(cache, ignore_errors=True)
            aside.rename(cache)


def keep_new_entries(cache: Path, into: Path) -> None:
    """Move the files of `cache` that `into` lacks into it (same relative path); skip unfinished writes."""
    for entry in [e for e in cache.rglob("*") if e.is_file() and e.suffix != ".tmp"]:
        kept = into / entry.relative_to(cache)
        if not kept.exists():
            kept.parent.mkdir(parents=True, exist_ok=True)
            entry.replace(kept)


def cold_build(config: Path, site: Path) -> float:
    """A build without CACHES and with an empty $TMPDIR, as on a fresh checkout."""
    with caches_set_aside(), tempfile.TemporaryDirectory(prefix="bench-tmpdir-") as fresh:
        return build(config, site, {**ENV, "TMPDIR": fresh})


def measure_builds(configs: dict[str, Path], tmp: Path) -> tuple[Figures, dict[str, Path]]:
    times: dict[str, dict[str, Any]] = {name: {"warm": []} for name in configs}
    sites = {name: tmp / f"site-{name}-cold" for name in configs}
    for name, config in configs.items():  # stock is cold too: it executes the notebooks as well
        times[name]["cold"] = cold_build(config, sites[name])
    for i in range(WARM_BUILDS):  # interleaved, so drift on the machine hits both setups alike
        for name, config in configs.items():
            sites[name] = tmp / f"site-{name}-warm{i}"
            times[name]["warm"].append(build(config, sites[name]))
    return {n: {"cold": t["cold"], "warm": statistics.median(t["warm"])} for n, t in times.items()}, sites


def formula_count(html: str) -> int:
    """Formulas on a built page: typeset at build time (ours) or left for MathJax in the browser (stock)."""
    return html.count("<mjx-container") + html.count('class="arithmatex"')


def largest_page(site: Path) -> Path:
    """The largest HTML file of a built site, as a path relative to the site."""
    return max(site.rglob("*.html"), key=lambda p: p.stat().st_size).relative_to(site)


def page_size(site: Path, page: Path) -> dict[str, float]:
    """Bytes of one built page, raw and gzipped the way `serve` does, in KiB; and its formulas."""
    body = (site / page).read_bytes()
    return {"largest page": len(body) / 1024,
            "largest page gzip": len(gzip.compress(body, compresslevel=6, mtime=0)) / 1024,
            "largest page formulas": formula_count(body.decode("utf-8"))}


def url(page: Path) -> str:
    return "/" + page.as_posix().removesuffix("index.html")


# --- `mkdocs serve`: seconds from editing one page to the served page showing the edit ---------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def fetch(address: str) -> str | None:
    """The page's HTML, or None while nothing answers; mkdocs serve holds a request until its build ends."""
    try:
        with urlopen(address, timeout=EDIT_LIMIT) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_until(condition: Any, limit: float = 300) -> bool:
    """Poll until the condition holds (True) or `limit` seconds have passed (False)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def shows(address: str, marker: str) -> bool:
    page = fetch(address)
    return page is not None and marker in page


@contextmanager
def mkdocs_serve(config: Path, flags: tuple[str, ...], log: Path) -> Iterator[str]:
    """A running `mkdocs serve` on a free port; yields the edited page's address once it is served."""
    # --dirty warns that navigation may go stale, and mkdocs.yml's `strict: true` would abort on that.
    strict = ["--no-strict"] if "--dirty" in flags else []
    command = [sys.executable, "-m", "mkdocs", "serve", "-f", str(config), "-a", f"127.0.0.1:{free_port()}",
               *flags, *strict]
    with log.open("w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=ENV, stdout=out, stderr=subprocess.STDOUT)
    address = f"http://{command[command.index('-a') + 1]}/{PAGE}"
    try:
        served = wait_until(lambda: server.poll() is not None or fetch(address) is not None)
        if not served or server.poll() is not None:
            sys.exit(f"{' '.join(command)} did not serve {address}:\n{log.read_text()[-3000:]}")
        yield address
    finally:
        server.send_signal(signal.SIGINT)  # mkdocs serve's own way to stop; removes its temporary site
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def restored(source: Path) -> Iterator[bytes]:
    """The file's bytes; whatever happens, the file has exactly these bytes again afterwards."""
    original = source.read_bytes()
    try:
        yield original
    finally:
        source.write_bytes(original)


def serve_rebuilds(config: Path, flags: tuple[str, ...], log: Path) -> dict[str, Any]:
    """Seconds until the served page shows an edit of EDITED, SERVE_EDITS times in one `mkdocs serve`.

    Each edit appends one more HTML comment; the page is restored once the server has stopped. An edit
    not shown within EDIT_LIMIT counts as infinitely slow and ends the session. The served search index
    is weighed before and after: Material's search keeps it across --dirty rebuilds."""
    times: list[float] = []
    started = time.perf_counter()
    with restored(EDITED) as original, mkdocs_serve(config, flags, log) as address:
        up = time.perf_counter() - started
        search_index = address.removesuffix(PAGE) + "search/search_index.json"
        index_before = len(fetch(search_index) or "") / 1024
        text = original
        for i in range(SERVE_EDITS):
            marker = f"bench-edit-{os.getpid()}-{i}"
            text += f"\n\n<!-- {marker} -->\n".encode()
            edited = time.perf_counter()
            EDITED.write_bytes(text)
            if not wait_until(lambda: shows(address, marker), EDIT_LIMIT):  # noqa: B023 (called at once)
                times += [float("inf")] * (SERVE_EDITS - i)  # the server may still be building: no index
                break
            times.append(time.perf_counter() - edited)
        index_after = len(fetch(search_index) or "") / 1024 if times[-1] < float("inf") else float("nan")
    return {"median": statistics.median(times), "times": times, "up": up,
            "index": (index_before, index_after)}


def measure_serves(configs: dict[str, Path], tmp: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """figure -> setup -> serve_rebuilds(...) for a full rebuild and for --dirty."""
    return {figure: {name: serve_rebuilds(config, flags, tmp / f"serve-{name}{'-'.join(flags)}.log")
                     for name, config in configs.items()}
            for figure, flags in SERVE_MODES.items()}


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


def verdict(figure: str, values: dict[str, float]) -> tuple[str, str | None]:
    """The goal column of one figure, and what was missed (None if met or if it has no goal)."""
    ratio = values["ours"] / values["stock"] if values["stock"] else float("nan")
    if figure in GOALS:
        goal, met = f"≤ {GOALS[figure]}x", ratio <= GOALS[figure]
        missed = f"{figure} (ours/stock {ratio:.2f}, goal ≤ {GOALS[figure]})"
    elif figure in LIMITS:
        goal, met = f"ours < {LIMITS[figure]:g} s", values["ours"] < LIMITS[figure]
        missed = f"{figure} (ours {values['ours']:.2f} s, goal < {LIMITS[figure]:g} s)"
    else:
        return "", None
    return f"{goal}: " + ("met" if met else "**MISSED**"), None if met else missed


def report(rows: Figures, scope: list[str], notes: list[str]) -> tuple[str, str]:
    """The Markdown results and a one-line verdict on the goals."""
    lines = ["| figure | ours | stock | ours/stock | goal |", "|---|---|---|---|---|"]
    missed = []
    for figure, values in rows.items():
        ratio = values["ours"] / values["stock"] if values["stock"] else float("nan")
        goal, miss = verdict(figure, values)
        missed += [miss] if miss else []
        ours, stock = (SHOWN.get(figure, "{:g}").format(values[n]) for n in ("ours", "stock"))
        lines.append(f"| {figure} | {ours} | {stock} | {ratio:.2f} | {goal} |")
    summary = f"MISSED: {'; '.join(missed)}" if missed else "All goals met."
    load_1, _, load_15 = os.getloadavg()  # other work on the machine skews every figure
    head = ["# Benchmark: build-time MathJax (ours) vs stock Material + MathJax 3 in the browser", "",
            f"- date: {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
            f"- machine: {os.cpu_count()} CPUs (nproc), {platform.platform()}; load average at the end "
            f"{load_1:.1f} (1 min), {load_15:.1f} (15 min)", f"- versions: {versions()}",
            *(f"- {line}" for line in scope), ""]
    tail = ["", f"**{summary}**", "", "## Notes", "", *(f"- {n}" for n in notes)]
    return "\n".join([*head, *lines, *tail]) + "\n", summary


def scope(pages: int, largest: Path) -> list[str]:
    """What each figure measures, for the head of the results."""
    edited = EDITED.relative_to(ROOT).as_posix()
    return [f"builds: the whole site ({pages} HTML pages), `mkdocs build --strict` in a fresh process; "
            f"cold once per setup ({', '.join(f'`{c.relative_to(ROOT)}`' for c in CACHES)} emptied, "
            f"fresh `$TMPDIR` for jieba's cache), warm median of {WARM_BUILDS}",
            f"serve rebuild: `mkdocs serve` (full rebuild) and `mkdocs serve --dirty --no-strict` (only "
            f"changed pages), an HTML comment appended to `{edited}`; seconds from the write until the "
            f"served `/{PAGE}` shows it, median of {SERVE_EDITS} edits",
            f"largest page: `{url(largest)}`, the largest HTML file ours builds (stock: the same page); "
            f"gzip at level 6; formulas: `mjx-container` (ours) or arithmatex elements (stock)",
            f"page bytes and time to math: `/{PAGE}`, median of {LOADS} loads, fresh profile each"]


def serve_notes(serves: dict[str, dict[str, dict[str, Any]]]) -> list[str]:
    notes = [f"{figure}, {name}: per edit {', '.join(f'{t:.2f}' for t in run['times'])} s "
             f"(inf: not shown within {EDIT_LIMIT} s); first served {run['up']:.1f} s after start; "
             f"search index served {run['index'][0]:.0f} KiB before the edits, "
             f"{run['index'][1]:.0f} KiB after"
             for figure, runs in serves.items() for name, run in runs.items()]
    return [*notes, "--dirty rebuilds only the edited page: other pages may show stale navigation "
                    "until a full build"]


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
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("bench: terminated"))  # so every cleanup runs
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp_name:
        tmp = Path(tmp_name)
        configs = {"ours": ROOT / "mkdocs.yml", "stock": stock_config(tmp)}
        print("building the whole site (cold, then warm) ...", flush=True)
        builds, sites = measure_builds(configs, tmp)
        largest = largest_page(sites["ours"])
        sizes = {n: page_size(s, largest) for n, s in sites.items()}
        pages = len(list(sites["ours"].rglob("*.html")))
        formulas = {n: formula_count((s / PAGE / "index.html").read_text(encoding="utf-8"))
                    for n, s in sites.items()}
        notes = [f"formulas on /{PAGE}: ours {formulas['ours']} `mjx-container` in the HTML, "
                 f"stock {formulas['stock']} arithmatex elements for MathJax to typeset"]
        if len({(formulas[n], sizes[n]["largest page formulas"]) for n in configs}) > 1:
            notes.append("PROBLEM: the two sites differ in formulas (did docs/ change during the run?)")
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
        print(f"mkdocs serve: editing {EDITED.relative_to(ROOT)} {SERVE_EDITS}x per setup and mode ...",
              flush=True)
        serves = measure_serves(configs, tmp)
    for name, runs in loads.items():
        notes += load_notes(name, runs)
    notes += serve_notes(serves)
    rows = {
        "cold build": {n: builds[n]["cold"] for n in configs},
        "warm build": {n: builds[n]["warm"] for n in configs},
        **{figure: {n: runs[n]["median"] for n in configs} for figure, runs in serves.items()},
        **{k: {n: sizes[n][k] for n in configs} for k in sizes["ours"]},
        "page bytes": {n: median([r["bytes"] for r in loads[n]]) / 1024 for n in configs},
        "time to math": {n: median([r["ms"] for r in loads[n]]) for n in configs},
        **{k: {n: scores[n][k] for n in configs} for k in scores["ours"]},
    }
    markdown, summary = report(rows, scope(pages, largest), notes)
    RESULTS.write_text(markdown, encoding="utf-8")
    print(markdown)
    print(summary)


if __name__ == "__main__":
    main()
