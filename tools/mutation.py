"""``make mutation``: how many deliberately broken copies of the code the tests notice, file by file.

cosmic-ray (pinned in requirements.lock) makes the mutants: each is one small change to one file
(``+`` to ``-``, ``<`` to ``<=``, a number plus one, a condition negated, a loop skipped, ...).
For each file listed in ``[tool.mutation]`` of pyproject.toml this runs, for every mutant, only
the tests that can see that file, stopping at the first failure, and prints one line per file::

    file                              mutants  killed  survived   score

A mutant is killed when the tests fail (or time out) with it in place; one that survives is a
change the tests cannot tell from the real code: either a missing test or an equivalent mutant
(listed with its reason in MUTATION.md).

The run works in scratch copies of the work tree (``.cache/mutation/tree-N``), so the files you
edit are never the ones mutated, and an interrupted run leaves nothing behind. Tests that only
read the built site get one site, built before the run (``PREBUILT_SITE``).

Mutants inside annotations are not counted: every module here has ``from __future__ import
annotations``, so an annotation is never evaluated and no test could see a change in it. Nor are
those of the operators that ``skip-operators`` names (see pyproject.toml).

Usage::

    python tools/mutation.py                      # every file (make mutation)
    python tools/mutation.py derivations/tex.py   # only the files named
    python tools/mutation.py --survivors-only     # re-test only the last run's survivors
    python tools/mutation.py --jobs 2             # two files at a time

Survivors, with their diffs, are written to ``.cache/mutation/survivors/<file>.md``.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / ".cache" / "mutation"
PYTEST = [sys.executable, "-m", "pytest", "-x", "-q", "--no-header", "-p", "no:cacheprovider"]


@dataclass(frozen=True)
class Target:
    """One file to mutate and the pytest arguments of the tests that can see it."""

    path: str
    tests: tuple[str, ...]
    site: bool
    optional: bool  # mutated only when named on the command line
    by_coverage: bool  # each mutant runs only the tests that execute the line it changes

    @property
    def session(self) -> Path:
        return OUT / "sessions" / (self.path.replace("/", "__") + ".sqlite")


def targets(config: dict) -> list[Target]:
    """Every file the config's globs match (so a new topic or step module is covered with no edit here)."""
    found: dict[str, Target] = {}
    for group in config["files"]:
        excluded = group.get("exclude", [])
        for pattern in group["glob"]:
            for path in sorted(ROOT.glob(pattern)):
                rel = path.relative_to(ROOT).as_posix()
                if rel in found or any(fnmatch.fnmatch(rel, e) for e in excluded):
                    continue
                tests = tuple(a.format(file=rel, stem=path.stem) for a in group["tests"])
                # A test file or folder that does not exist (yet) is left out; a test is named by its
                # file and id (tests/test_x.py::test_y[z]).
                tests = tuple(t for t in tests if t.startswith("-") or not (t.endswith(".py") or "/" in t)
                              or (ROOT / t.split("::")[0]).exists())
                found[rel] = Target(rel, tests, group.get("site", False), group.get("optional", False),
                                    group.get("select") == "coverage")
    return list(found.values())


def scratch_tree(n: int) -> Path:
    """A fresh copy of the work tree's files (tracked and new, not ignored) to mutate in."""
    tree = OUT / f"tree-{os.getpid()}-{n}"
    shutil.rmtree(tree, ignore_errors=True)
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split("\0")
    for rel in filter(None, listed):
        src = ROOT / rel
        if src.is_file():
            (tree / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, tree / rel)
    if (ROOT / "node_modules").is_dir():
        (tree / "node_modules").symlink_to(ROOT / "node_modules")
    if (ROOT / ".cache" / "mathjax").is_dir():  # keyed by content: tests that typeset skip Node
        shutil.copytree(ROOT / ".cache" / "mathjax", tree / ".cache" / "mathjax")
    return tree


def build_site() -> Path:
    site = Path(tempfile.mkdtemp(prefix="mutation-site-"))
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", str(site)],
                   cwd=ROOT, env=env, check=True)
    return site


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(start, end) of every annotation, as (line, character column), when annotations are never evaluated."""
    tree = ast.parse(source)
    future = any(isinstance(n, ast.ImportFrom) and n.module == "__future__"
                 and any(a.name == "annotations" for a in n.names) for n in tree.body)
    if not future:
        return []
    lines = source.splitlines()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            found += [a.annotation for a in every if a is not None and a.annotation is not None]
            found += [node.returns] if node.returns is not None else []
        elif isinstance(node, ast.AnnAssign):
            found.append(node.annotation)

    def char(line: int, byte: int) -> int:
        return len(lines[line - 1].encode("utf-8")[:byte].decode("utf-8"))

    return [((a.lineno, char(a.lineno, a.col_offset)), (a.end_lineno, char(a.end_lineno, a.end_col_offset)))
            for a in found]


def config_toml(target: Target, timeout: float, select: list[str]) -> str:
    command = shlex.join([*PYTEST, *select, *target.tests])
    return (f'[cosmic-ray]\nmodule-path = "{target.path}"\ntimeout = {timeout}\nexcluded-modules = []\n'
            f"test-command = {json.dumps(command)}\n\n[cosmic-ray.distributor]\nname = \"local\"\n")


def cosmic_ray(*args: str, cwd: Path, env: dict, stdin: str | None = None) -> None:
    subprocess.run([sys.executable, "-m", "cosmic_ray.cli", *args], cwd=cwd, env=env, input=stdin,
                   text=True, check=True, stdout=subprocess.DEVNULL)


def run(target: Target, tree: Path, env: dict, survivors_only: bool, skip_operators: list[str]) -> dict:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    def skipped(item) -> bool:
        return any(re.fullmatch(p, m.operator_name) for m in item.mutations for p in skip_operators)

    started = time.monotonic()
    source = (tree / target.path).read_text(encoding="utf-8")
    digest = hashlib.sha256(source.encode()).hexdigest()
    stamp = target.session.with_suffix(".json")
    select: list[str] = []
    record: dict[str, str] = {}
    if target.by_coverage:  # the baseline records which tests execute which lines (tools/mutation_select.py)
        coverage = str(target.session.with_suffix(".coverage.json"))
        select = ["-p", "tools.mutation_select"]
        env = {**env, "MUTATION_TARGET": target.path, "MUTATION_SELECT": coverage}
        record = {"MUTATION_RECORD": coverage}
    t0 = time.monotonic()
    baseline = subprocess.run([*PYTEST, *select, *target.tests], cwd=tree, env={**env, **record},
                              capture_output=True, text=True)
    took = time.monotonic() - t0
    if baseline.returncode != 0:
        raise SystemExit(f"{target.path}: its tests fail before any mutation, so no mutant means anything:\n"
                         f"{shlex.join(target.tests)}\n{baseline.stdout[-3000:]}")
    timeout = round(max(30.0, (1.5 if target.by_coverage else 5) * took), 1)  # recording: 3 to 5 times slower
    config = tree / ".mutation.toml"
    config.write_text(config_toml(target, timeout, select), encoding="utf-8")
    target.session.parent.mkdir(parents=True, exist_ok=True)
    reuse = survivors_only and target.session.is_file() and stamp.is_file() and (
        json.loads(stamp.read_text())["sha256"] == digest)
    if reuse:
        with use_db(str(target.session), WorkDB.Mode.open) as db:
            again = [item.job_id for item, result in db.completed_work_items
                     if result.worker_outcome == WorkerOutcome.NORMAL and not result.is_killed]
        _forget(target.session, again)
    else:
        target.session.unlink(missing_ok=True)
        cosmic_ray("init", str(config), str(target.session), cwd=tree, env=env)
        spans = annotation_spans(source)
        with use_db(str(target.session), WorkDB.Mode.open) as db:
            items = list(db.work_items)
            annotations = [item.job_id for item in items
                           if any(s <= tuple(m.start_pos) and tuple(m.end_pos) <= e
                                  for m in item.mutations for s, e in spans)]
            db.set_multiple_results(annotations, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                            output="inside an annotation, never evaluated"))
            operators = [item.job_id for item in items if skipped(item)]
            db.set_multiple_results(operators, WorkResult(worker_outcome=WorkerOutcome.SKIPPED,
                                                          output="operator left out in pyproject.toml"))
        stamp.write_text(json.dumps({"sha256": digest}), encoding="utf-8")
    cosmic_ray("exec", str(config), str(target.session), cwd=tree, env=env)
    return summary(target, skip_operators, time.monotonic() - started, timeout)


def summary(target: Target, skip_operators: list[str], seconds: float = 0.0, timeout: float = 0.0) -> dict:
    """The counts of a target's session as it stands (``--table`` reads them without running anything)."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome

    def skipped(item) -> bool:
        return any(re.fullmatch(p, m.operator_name) for m in item.mutations for p in skip_operators)

    with use_db(str(target.session), WorkDB.Mode.open) as db:
        done = [(item, result) for item, result in db.completed_work_items
                if result.worker_outcome != WorkerOutcome.SKIPPED and not skipped(item)]
        pending = len(db.pending_work_items)
    survivors = [(item.mutations[0], result.diff) for item, result in done
                 if result.worker_outcome == WorkerOutcome.NORMAL and not result.is_killed]
    broken = [item for item, result in done if result.worker_outcome not in (WorkerOutcome.NORMAL,)]
    return {"file": target.path, "mutants": len(done) - len(broken), "survived": len(survivors),
            "killed": len(done) - len(survivors) - len(broken), "broken": len(broken), "pending": pending,
            "survivors": sorted(survivors, key=lambda s: (s[0].start_pos, s[0].operator_name)),
            "seconds": seconds, "tests": target.tests, "timeout": timeout}


def _forget(session: Path, job_ids: list[str]) -> None:
    """Drop the results of these jobs, so ``cosmic-ray exec`` runs them again."""
    import sqlite3

    with sqlite3.connect(session) as db:
        db.executemany("DELETE FROM work_results WHERE job_id = ?", [(j,) for j in job_ids])


def table(rows: list[dict]) -> str:
    width = max(len("file"), *(len(r["file"]) for r in rows))
    lines = [f"| {'file':<{width}} | mutants | killed | survived |  score |",
             f"|{'-' * (width + 2)}|--------:|-------:|---------:|-------:|"]
    for r in rows:
        score = 100 * r["killed"] / r["mutants"] if r["mutants"] else 100.0
        lines.append(f"| {r['file']:<{width}} | {r['mutants']:7d} | {r['killed']:6d} | {r['survived']:8d} "
                     f"| {score:5.1f}% |")
    return "\n".join(lines)


def report(r: dict) -> str:
    out = [f"# {r['file']}: {r['survived']} of {r['mutants']} mutants survived", "",
           f"tests: `{shlex.join(r['tests'])}` (timeout {r['timeout']} s, {r['seconds']:.0f} s in all)", ""]
    for spec, diff in r["survivors"]:
        out += [f"- line {spec.start_pos[0]}, {spec.operator_name} #{spec.occurrence}", "",
                "```diff", (diff or "").strip(), "```", ""]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="only these files (default: all in [tool.mutation])")
    parser.add_argument("--survivors-only", action="store_true",
                        help="re-test only the survivors of the last run of each unchanged file")
    parser.add_argument("--jobs", type=int, default=1, help="files mutated at once (default: 1)")
    parser.add_argument("--table", action="store_true",
                        help="print the table of the stored results and run nothing")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so the scratch copies are removed
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mutation"]
    chosen = targets(config)
    if args.files:
        wanted = {Path(f).resolve().relative_to(ROOT).as_posix() for f in args.files}
        unknown = wanted - {t.path for t in chosen}
        if unknown:
            parser.error(f"not in [tool.mutation] of pyproject.toml: {', '.join(sorted(unknown))}")
        chosen = [t for t in chosen if t.path in wanted]
    else:
        chosen = [t for t in chosen if not t.optional]
    if args.table:
        rows = [summary(t, config.get("skip-operators", [])) for t in chosen if t.session.is_file()]
        print(table(rows))
        broken = sum(r["broken"] for r in rows)
        print(f"\n{broken} mutant(s) cosmic-ray could not apply, not counted" if broken else "", end="")
        unfinished = [f"{r['file']} ({r['pending']})" for r in rows if r["pending"]]
        print(f"\nnot yet run: {', '.join(unfinished)}" if unfinished else "")
        return 0
    started = time.monotonic()
    site = build_site() if any(t.site for t in chosen) else None
    trees = [scratch_tree(n) for n in range(max(1, min(args.jobs, len(chosen))))]
    free = list(trees)

    def one(target: Target) -> dict:
        tree = free.pop()
        try:
            env = {**os.environ, "PYTHONPATH": str(tree), "NO_MKDOCS_2_WARNING": "1",
                   **({"PREBUILT_SITE": str(site)} if site else {})}
            row = run(target, tree, env, args.survivors_only, config.get("skip-operators", []))
        finally:
            free.append(tree)
        (OUT / "survivors").mkdir(parents=True, exist_ok=True)
        (OUT / "survivors" / target.session.with_suffix(".md").name).write_text(report(row), encoding="utf-8")
        score = 100 * row["killed"] / row["mutants"] if row["mutants"] else 100.0
        print(f"{row['file']}: {row['mutants']} mutants, {row['survived']} survived, {score:.1f}% "
              f"({row['seconds']:.0f} s)", flush=True)
        return row

    try:
        with ThreadPoolExecutor(len(trees)) as pool:
            rows = list(pool.map(one, chosen))
    finally:
        if site:
            shutil.rmtree(site, ignore_errors=True)
        for tree in trees:
            shutil.rmtree(tree, ignore_errors=True)
    print()
    print(table(rows))
    broken = sum(r["broken"] for r in rows)
    print(f"\n{time.monotonic() - started:.0f} s; survivors with their diffs: {OUT / 'survivors'}/"
          + (f"; {broken} mutant(s) cosmic-ray could not apply, not counted" if broken else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
