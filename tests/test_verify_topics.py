"""Each topic's verify check, in-process: its built pages pass, and a changed number in any of its
blocks is a mismatch naming the page, the example and the quantity.

One test per registered topic, so ``make mutation`` runs only the topic a check module belongs to
(``-k relu``); tests/test_verify.py tampers with the whole built site end to end.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from bs4 import BeautifulSoup, SoupStrainer, Tag
from test_verify_page import _hook, typeset, verify_example

from derivations import exercises
from derivations.example import Expansion, NumberTuple, Shown
from derivations.topics import TOPICS
from derivations.topics import topic as module
from derivations.values import Ln
from derivations.verify import source_quantities, verify_page

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
# A changed input shows in what is computed from it, not always under its own name.
INPUTS = {"X", "W", "b", "G", "Yhat", "Y", "Z", "labels", "z", "y", "layer", "sq_X", "sq_W", "sq_G",
          "W1", "b1", "W2", "b2"}
# ReLU maps every negative z to 0 with slope 0: a negative entry of Z made another negative (-2 to
# -7) changes no result, so the page stays consistent and verify rightly finds nothing. (The digits
# of a number are read without its sign, so these blocks are changed but not judged.)
UNSEEN = {("relu", "Z")}
# Malformed inputs that still make a consistent page: a 0 among ReLU's inputs is a legitimate z.
CONSISTENT = {("relu", "Z", "an entry of 0")}
# What a mismatch says when an input has the wrong shape (sizes of the page's examples).
MESSAGES = {
    ("relu", "G", "one column more"): "G is 2x4 but Z is 2x3; they must have one shape",
    ("bce", "z", "one column more"): "z: must be a column, shows 3x2",
    ("mlp", "W1", "one row more"): "the inputs do not fit: X (2, 2), W1 (3, 3)",
    ("mlp", "W2", "one row more"): "the inputs do not fit: X (2, 2), W1 (2, 3), b1 (1, 3), W2 (4, 3)",
}


# In-process tests first: a mutation run stops at the first failure, and these take a second,
# the tests of the built site below a minute.

def shown_page(topic: str, change: Callable[[str, str, Shown], Shown] = lambda n, q, s: s):
    """Every quantity the topic's page asks for, of its example and its exercises, computed now (each
    passed through ``change``) and typeset as the build does; verify's verdict on it."""
    keys = [k for k in source_quantities(DOCS)[f"{topic}/index.html"] if k[0] == topic]
    examples = {n: exercises.example(topic, int(n)) if n else module(topic).worked_example()
                for n in dict.fromkeys(n for _, n, _ in keys)}
    block = _hook("examples")._block
    soup = BeautifulSoup("", "html.parser")
    for _, n, q in keys:
        for node in _typeset_block(block(topic, n or None, q, change(n, q, examples[n].quantities[q]))):
            soup.append(node)  # moved out of the page it was last in, which is done with
    return keys, verify_page(f"{topic}/index.html", soup, keys)


@functools.lru_cache(maxsize=2048)
def _typeset_block(html: str) -> list:
    """One block typeset and parsed. Most blocks come back unchanged call after call (every exercise,
    every result an input change does not reach), and parsing the SVG was most of these tests' time."""
    return list(BeautifulSoup(typeset(html), "html.parser").contents)


@pytest.mark.parametrize("topic", TOPICS)
def test_what_the_topic_module_shows_passes_verify(topic: str) -> None:
    """With no site, so that a changed topic module is seen."""
    keys, (checked, errors) = shown_page(topic)
    assert errors == [] and checked > len(keys), errors


def test_softmax_ce_entry_at_the_label_class_passes() -> None:
    """The page writes out dl_1/dz_1j for a class j other than the label; verify must also be right for
    j = y_1, where the term -1/p_1j survives and the total is p_1j - 1."""
    example = module("softmax_ce").worked_example()
    P = example.quantities["P"].value
    j = example.quantities["labels"].value[0, 0]  # one-based
    K = P.shape[1]
    terms = tuple((-1 / P[0, k] if k == j - 1 else 0, P[0, k] * (int(k == j - 1) - P[0, j - 1]))
                  for k in range(K))
    at_label = Shown(r"\frac{\partial \ell_{1}}{\partial z_{1%d}} = \sum_{k=1}^{%d} \frac{\partial \ell_{1}}"
                     r"{\partial p_{1k}}\, \frac{\partial p_{1k}}{\partial z_{1%d}}" % (j, K, j),
                     Expansion(terms, P[0, j - 1] - 1), (1, j))
    _, (_, errors) = shown_page("softmax_ce", lambda n, q, s: at_label if not n and q == "dl_entry" else s)
    assert errors == []


@pytest.mark.parametrize("topic, inputs, why", [
    ("gelu", {"Z": ((3, 2, Fraction(1, 2)), (1, -1, 2))}, "the written-out entry in row 2, column 2"),
    ("softmax_ce", {"labels": ((1,), (2,))}, "the label 1, the lowest class"),
    ("mlp", {"X": ((Fraction(-1, 3), 1), (2, Fraction(5, 4)))}, "fractions, so results have denominators"),
    ("mlp", {"G": ((Fraction(1, 2),),)}, "a loss below another objective: G shown"),
    ("mlp", {"X": ((1,), (2,)), "W1": ((1, -1, 2),)}, "one input feature, D = 1: W1 is a single row"),
    ("mlp", {"b1": ((-9, -9, -9),)}, "every hidden unit off: the gradients below ReLU are exactly 0"),
    ("mlp", {"b1": ((1, Fraction(-5, 2), 1),)}, "a z1 of -1/2: off, though not by a whole unit"),
    ("mlp", {"b1": ((0, -1, 1),)}, "a z1 of 0, ReLU's corner: off, with the derivative 0 used there"),
    ("mlp", {"X": ((-1, 1),), "labels": ((2,),)}, "one sample, M = 1: the gradients are single rows"),
])
def test_other_inputs_than_the_page_pass(topic: str, inputs: dict, why: str) -> None:
    """What the pages never show, but a reader's own numbers can: every quantity typeset and verified."""
    example = module(topic).worked_example(**inputs)
    checked, errors = verify_example(example)
    assert errors == [] and checked > len(example.quantities), why


@pytest.mark.parametrize("count", [3, 5])
def test_a_size_too_many_or_too_few_is_a_mismatch_on_the_mlp_page(count: int) -> None:
    example = module("mlp").worked_example()
    sizes = example.quantities["sizes"]
    example.quantities["sizes"] = Shown(sizes.lhs, NumberTuple((*sizes.value.items, 1)[:count]))
    _, errors = verify_example(example)
    assert any(f"(mlp): sizes: shows {count} numbers, (M, D, N, K) are 4" in e for e in errors), errors


def test_a_G_of_another_shape_is_a_mismatch_on_the_mlp_page() -> None:
    example = module("mlp").worked_example(G=((2,),))
    G = example.quantities["G"]
    example.quantities["G"] = Shown(G.lhs, np.array([[2, 3]], dtype=object))
    _, errors = verify_example(example)
    assert any("(mlp): G: must be 1x1 (dJ/dL of the scalar L), shows 1x2" in e for e in errors), errors


def pages_of(site: Path, topic: str) -> dict[str, tuple[BeautifulSoup, list]]:
    """Every built page showing the topic: its worked-example blocks and what its source asks for."""
    found = {}
    for rel, keys in source_quantities(DOCS).items():
        if any(t == topic for t, _, _ in keys):
            text = (site / rel).read_text(encoding="utf-8")
            worked = SoupStrainer("div", class_="worked")
            found[rel] = BeautifulSoup(text, "html.parser", parse_only=worked), keys
    return found


def numbers(b: Tag) -> list[tuple[Tag, Tag]]:
    """Each number of a block as MathML ``mn`` and the SVG group drawing it, which must agree."""
    mns = b.select("mjx-assistive-mml mn")
    gs = b.select('svg g[data-mml-node="mn"]')
    assert len(mns) == len(gs) > 0, b.get("data-quantity")
    found = []
    for mn, g in zip(mns, gs, strict=True):
        drawn = "".join(chr(int(u["xlink:href"].rsplit("-", 1)[1], 16)) for u in g.find_all("use"))
        assert unicodedata.normalize("NFKC", drawn) == mn.get_text(), (drawn, mn.get_text())
        if not mn.get("mathvariant"):  # a bold 1 is the vector of ones, a symbol
            found.append((mn, g))
    return found


def set_last_digit(mn: Tag, g: Tag, new: str) -> None:
    glyph = g.find_all("use")[-1]
    glyph["xlink:href"] = glyph["xlink:href"].rsplit("-", 1)[0] + f"-{ord(new):X}"
    mn.string = mn.get_text()[:-1] + new


@pytest.mark.parametrize("topic", TOPICS)
def test_the_pages_pass_and_every_changed_number_is_named(site_dir: Path, topic: str) -> None:
    """The first, a middle and the last number of every block of the topic, each changed in its last
    digit in SVG and MathML alike, give a mismatch naming that block (or, for an input, some mismatch)."""
    pages = pages_of(site_dir, topic)
    assert len(pages) == 2, f"{topic} is shown on {sorted(pages)}, not on one page pair"
    counts = []
    for rel, (soup, keys) in pages.items():
        checked, errors = verify_page(rel, soup, keys)
        assert errors == [] and checked > 0, (rel, errors)
        counts.append(checked)
        for b in soup.select(f'div.worked[data-example="{topic}"]'):
            exercise, q = b.get("data-exercise", ""), b["data-quantity"]
            named = f"{rel} ({topic} exercise {exercise}): {q}" if exercise else f"{rel} ({topic}): {q}"
            found = numbers(b)
            for mn, g in dict.fromkeys([found[0], found[len(found) // 2], found[-1]]):
                old = mn.get_text()
                set_last_digit(mn, g, "7" if old[-1] != "7" else "8")
                errors = verify_page(rel, soup, keys)[1]
                set_last_digit(mn, g, old[-1])
                if (topic, q) in UNSEEN:
                    continue
                ours = [e for e in errors if e.startswith(named)]
                assert ours or (q in INPUTS and errors), (named, old, errors)
                if mn is found[-1][0] and q not in INPUTS and b.select_one("mjx-assistive-mml mtable"):
                    # a result matrix's last entry: the mismatch says which entry
                    assert any(re.search(r"\[\d+,\d+\]", e) for e in ours), errors
        assert verify_page(rel, soup, keys) == (checked, [])
    assert counts[0] == counts[1], f"the two languages check {counts} numbers"


@pytest.mark.parametrize("topic", TOPICS)
def test_a_changed_data_entry_is_a_mismatch(site_dir: Path, topic: str) -> None:
    """Each entry a block names, moved one row or column either way (to a neighbour, or out of range),
    is a mismatch: the label, the bounds or the recomputed entry no longer agree."""
    for rel, (soup, keys) in pages_of(site_dir, topic).items():
        for b in soup.select(f'div.worked[data-example="{topic}"][data-entry]'):
            original = b["data-entry"]
            i, j = map(int, original.split(","))
            for moved in {(i + 1, j), (i - 1, j), (i, j + 1), (i, j - 1)}:
                b["data-entry"] = ",".join(map(str, moved))
                errors = verify_page(rel, soup, keys)[1]
                assert errors, f"{rel}: {b['data-quantity']} with data-entry {moved} instead of {original}"
            b["data-entry"] = original


def malformed(A: np.ndarray) -> dict[str, np.ndarray]:
    """An input matrix transposed, cut short, widened, of another kind, or with one entry changed (one
    above the largest is a class index just past K when the largest is K)."""
    A = A.astype(object)
    logs = isinstance(A.flat[0], Ln)
    out = {"transposed": A.T, "one row less": A[:-1], "one row more": np.vstack([A, A[-1:]]),
           "one column less": A[:, :-1],
           "one column more": np.hstack([A, A[:, -1:]]),
           "another kind": np.vectorize(lambda v: Fraction(v.arg) if logs else Ln(Fraction(abs(v) + 1)),
                                        otypes=[object])(A)}
    if not logs:
        for how, v in (("an entry of 0", 0), ("a large entry", A.flat[0] + 10),
                       ("one above the largest", A.max() + 1), ("a negative entry", -abs(A.flat[0]) - 1),
                       ("a fraction", A.flat[0] - Fraction(1, 2)),
                       ("a small negative entry", Fraction(-1, 2))):
            out[how] = A.copy()
            out[how].flat[0] = v
    return {how: B for how, B in out.items() if B.size and (B.shape != A.shape or not np.array_equal(B, A))}


def allowed(topic: str, q: str, A: np.ndarray, example) -> bool:
    """Whether the values of a labels or targets input are in their range: class indices 1..K, BCE
    targets in [0, 1]. (An input out of range must be named as such, not only through its results.)"""
    values = [v for v in A.flat if not isinstance(v, Ln)]
    if q == "labels":
        K = example.quantities["Z" if "Z" in example.quantities else "Z2"].value.shape[1]
        return all(v == int(v) and 1 <= v <= K for v in values)
    if (topic, q) == ("bce", "y"):
        return all(0 <= v <= 1 for v in values)
    return True


@pytest.mark.parametrize("topic", TOPICS)
def test_a_malformed_input_is_a_mismatch(topic: str) -> None:
    """Each input of the page's example, malformed one way at a time, is named by verify: never passed,
    never a crash of the check. (Some changes leave a consistent page, and are skipped by name.)"""
    example = module(topic).worked_example()
    inputs = [q for q, s in example.quantities.items()
              if q in INPUTS and isinstance(s.value, np.ndarray) and s.value.ndim == 2]
    assert inputs, topic
    for q in inputs:
        for how, A in malformed(example.quantities[q].value).items():
            if (topic, q, how) in CONSISTENT:
                continue
            _, (_, errors) = shown_page(topic, lambda n, name, s, q=q, A=A:
                                        Shown(s.lhs, A, s.entry) if not n and name == q else s)
            assert errors, f"{topic}: {q} with {how} passes verify"
            if (topic, q, how) in MESSAGES:
                assert any(MESSAGES[topic, q, how] in e for e in errors), errors
            if not allowed(topic, q, A, example):
                assert any(f"({topic}): {q}: " in e for e in errors), (topic, q, how, errors)
