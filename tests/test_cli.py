"""``python -m derivations``: every topic a subcommand, every format, and every class of bad input exits 2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from derivations.topics import TOPICS


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "derivations", *args], capture_output=True, text=True)


def test_help_lists_every_topic() -> None:
    result = run("--help")
    assert result.returncode == 0
    for name in TOPICS:
        assert name.replace("_", "-") in result.stdout


READER = ("linear", "--X", "[[1/2, 3], [-1, 0.25]]", "--W", "[[2, -1, 1], [1, 4, -3]]",
          "--G", "[[1, -1, 2], [3, 1, -2]]")


def test_text_on_the_readers_numbers_stays_exact() -> None:
    result = run(*READER)
    assert result.returncode == 0, result.stderr
    assert "X =\n  [ 1/2    3 ]\n  [  -1  1/4 ]" in result.stdout, result.stdout
    assert "∂L/∂X = G Wᵀ" in result.stdout and "0.5" not in result.stdout


@pytest.mark.parametrize("fmt, needle", [
    ("markdown", "$$\nX = \\begin{bmatrix} \\frac{1}{2} & 3"),
    ("latex", "\\[ Y = XW = \\begin{bmatrix} 4 & \\frac{23}{2} & -\\frac{17}{2}"),
])
def test_tex_formats(fmt: str, needle: str) -> None:
    result = run(*READER, "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert needle in result.stdout, result.stdout


def test_json_is_exact_and_complete() -> None:
    data = json.loads(run(*READER, "--format", "json").stdout)
    assert data["topic"] == "linear"
    q = data["quantities"]
    assert q["Y"]["value"] == [["4", "23/2", "-17/2"], ["-7/4", "2", "-7/4"]]
    assert q["dX_entry"]["entry"] == [2, 2] and q["dX_entry"]["value"]["total"] == q["dX"]["value"][1][1]
    assert set(q) >= {"X", "W", "G", "Y", "L", "dX", "dW"}


def test_defaults_are_the_pages_numbers() -> None:
    result = run("linear")
    assert result.returncode == 0 and "L = Σ_{m=1..2} Σ_{n=1..4} g_{mn} y_{mn} = -19" in result.stdout


@pytest.mark.parametrize("args, message", [
    (["linear", "--X", "[[1, 2]"], "argument --X: expected ']', found 'the end'"),
    (["linear", "--X", "[[1, 2], [3]]"], "argument --X: rows have different lengths (2 and 1)"),
    (["linear", "--X", "[[1, 2]]", "--W", "[[1, 2]]"], "X has shape (1, 2) and W has shape (1, 2)"),
    (["linear", "--X", "[[nan]]"], "argument --X: NaN or inf is not an exact number"),
    (["linear", "--W", "[[inf]]"], "argument --W: NaN or inf is not an exact number"),
    (["linear", "--X", "[[1, a]]"], "argument --X: the word 'a' is not an exact number"),
    (["linear", "--X", "[[1, 1/0]]"], "argument --X: 1/0 divides by zero"),
    (["linear", "--X", "[]"], "argument --X: the matrix is empty"),
    (["linear", "--X", "[[]]"], "argument --X: a row is empty"),
    (["linear", "--X"], "argument --X: expected one argument"),
    (["linear", "--G", "[[1]]"], "G has shape (1, 1) but Y = X W has shape (2, 4)"),
    (["linear", "--format", "pdf"], "argument --format: invalid choice"),
    (["conv"], "argument TOPIC: invalid choice: 'conv'"),
    (["softmax-ce", "--labels", "[[4], [1]]"], "labels[0, 0] = 4 is outside 1..3"),
    (["softmax-ce", "--labels", "[[0], [1]]"], "labels[0, 0] = 0 is outside 1..3: labels are one-based"),
    (["softmax-ce", "--labels", "[[3/2], [1]]"], "labels[0, 0] is 3/2, not an integer"),
    (["softmax-ce", "--labels", "[[ln(2)], [1]]"], "labels[0, 0] is Ln(2) of type Ln"),
    (["softmax-ce", "--labels", "[[1, 2]]"], "labels has shape (1, 2) but must be (2, 1)"),
    (["softmax-ce", "--Z", "[[1, 2, 3]]", "--labels", "[[1]]"], "Z[0, 0] is 1, not a logarithm"),
    (["softmax-ce", "--Z", "[[ln(0), ln(1)]]"], "argument --Z: ln(0) is not a number"),
    (["softmax-ce", "--Z", "[[ln(-2), ln(1)]]"], "argument --Z: ln(-2) is not a number"),
    (["softmax-ce", "--Z", "[[ln 2, ln(1)]]"], "argument --Z: write a logarithm as ln(3) or ln(1/2)"),
    (["bce", "--y", "[[1], [5/4], [0]]"], "y[1, 0] = 5/4 is outside [0, 1]"),
    (["bce", "--y", "[[1], [-1/2], [0]]"], "y[1, 0] = -1/2 is outside [0, 1]"),
    (["bce", "--z", "[[ln(2), ln(3)]]", "--y", "[[1, 0]]"], "z has shape (1, 2) but must be an M x 1 column"),
    (["mse", "--Y", "[[1, 2]]"], "Y has shape (1, 2) but Yhat has shape (3, 4)"),
    (["mse", "--G", "[[1, 2]]"], "G has shape (1, 2) but the loss L is 1 x 1"),
    (["mlp", "--labels", "[[4], [1]]"], "labels[0, 0] = 4 is outside 1..3"),
    (["mlp", "--labels", "[[2]]"], "labels has shape (1, 1) but must be (2, 1)"),
    (["mlp", "--b1", "[[1, 2]]"], "b1 has shape (1, 2) but must be (1, 3): one bias per hidden unit"),
    (["mlp", "--W2", "[[1, 2], [3, 4]]"], "W2 has shape (2, 2) but W1 has shape (2, 3)"),
    (["mlp", "--b2", "[[1], [2]]"], "b2 has shape (2, 1) but must be (1, 3)"),
    (["mlp", "--X", "[[1, 2, 3]]"], "X has shape (1, 3) and W1 has shape (2, 3)"),
    (["mlp", "--W1", "[[ln(2), 1, 1], [1, 1, 1]]"], "W1[0, 0] is Ln(2) of type Ln"),
    (["mlp", "--G", "[[1, 2]]"], "G has shape (1, 2) but the loss L is 1 x 1"),
    ([], "the following arguments are required: TOPIC"),
])
def test_bad_input_exits_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr


def test_logarithms_are_read_exactly() -> None:
    result = run("sigmoid", "--Z", "[[ln(3), ln(1/2)], [ln( 1 ), ln(0.25)]]", "--G", "[[16, 9], [4, -25]]")
    assert result.returncode == 0, result.stderr
    assert "Z =\n  [   ln(3)  ln(1/2) ]\n  [   ln(1)  ln(1/4) ]" in result.stdout, result.stdout
    assert "A = σ(Z) =\n  [ 3/4  1/3 ]\n  [ 1/2  1/5 ]" in result.stdout, result.stdout
    assert "∂L/∂z_{22} = g_{22} σ'(z_{22}) = (-25)·4/25 = -4" in result.stdout, result.stdout


def test_the_defaults_of_logarithms_are_shown_as_they_are_typed() -> None:
    result = run("tanh", "--help")
    assert "default: [[ln(2), ln(1/3), ln(3/2)]" in " ".join(result.stdout.split()), result.stdout


def test_values_without_exact_form_are_rounded_as_on_the_pages() -> None:
    text = run("sigmoid", "--Z", "[[1, -2]]", "--G", "[[2, -1]]").stdout
    assert "A = σ(Z) =\n  [ 0.7311  0.1192 ]" in text and "Rounded" not in text, text
    data = json.loads(run("gelu", "--format", "json").stdout)["quantities"]
    assert data["A"]["value"][0] == ["-0.0455", "-0.1587", "-0.1003"]
    assert data["dA_entry"]["value"] == {"terms": ["0.0228", "-0.1080"], "total": "-0.0852"}
    assert "0.0228 + (-0.1080) = -0.0852" in data["dA_entry"]["tex"]


def test_a_sum_prints_term_by_term() -> None:
    result = run("affine")
    assert "∂L/∂b_{2} = Σ_{m=1..3} g_{m2} = 1 + 2 + 2 = 5" in result.stdout, result.stdout


@pytest.mark.parametrize("args, message", [
    (["sigmoid", "--Z", "[[ln(3), 0]]"], "Z mixes logarithms (Ln(3) at [0, 0]) with other numbers"),
    (["sigmoid", "--Z", "[[ln(-3)]]"], "argument --Z: ln(-3) is not a number: the logarithm needs"),
    (["sigmoid", "--Z", "[[ln(0)]]"], "argument --Z: ln(0) is not a number: the logarithm needs a positive"),
    (["sigmoid", "--Z", "[[ln(1/0)]]"], "argument --Z: 1/0 divides by zero"),
    (["sigmoid", "--Z", "[[ln 3]]"], "argument --Z: write a logarithm as ln(3) or ln(1/2)"),
    (["sigmoid", "--Z", "[[ln(x)]]"], "argument --Z: write a logarithm as ln(3) or ln(1/2)"),
    (["sigmoid", "--Z", "[[ln(2)]]", "--G", "[[0.5, 1]]"], "G has shape (1, 2) but Z has shape (1, 1)"),
    (["relu", "--Z", "[[ln(2), ln(3)]]", "--G", "[[1, 2]]"], "Z[0, 0] is Ln(2) of type Ln; Z must hold real"),
    (["gelu", "--Z", "[[ln(2)]]", "--G", "[[1]]"], "Z[0, 0] is Ln(2) of type Ln; Z must hold real"),
])
def test_bad_logarithms_exit_2_with_one_line(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr, result.stderr
def test_logarithm_entries_are_read_exactly() -> None:
    """ln(a), ln(1/2) and -ln(2) reach the topic as exact logarithms; the probabilities come out exact."""
    result = run("softmax-ce", "--Z", "[[ln(1), -ln(1/4)], [ln(2/3), ln(1/3)]]", "--labels", "[[2], [1]]",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    q = json.loads(result.stdout)["quantities"]
    assert q["Z"]["value"] == [["ln(1)", "ln(4)"], ["ln(2/3)", "ln(1/3)"]]
    assert q["P"]["value"] == [["1/5", "4/5"], ["2/3", "1/3"]]
    assert q["dZ"]["value"] == [["1/10", "-1/10"], ["-1/6", "1/6"]]
    assert q["L"]["value"] == "0.3143" and "\\ln \\frac{2}{3}" in q["Z"]["tex"]


@pytest.mark.parametrize("topic, needles", [
    ("mse", ["E = Ŷ - Y =", "∂L/∂Ŷ = 2/(3 · 4) E =",
             "L = 1/(3 · 4) Σ_{m=1..3} Σ_{n=1..4} e_{mn}^{2} = 91/24"]),
    ("softmax-ce", ["[   ln(1)    ln(2)    ln(3) ]", "L = 1/2 Σ_{m=1..2} \N{SCRIPT SMALL L}_{m} = 1.6661",
                    "= 0·5/36 + 0·(-1/18) + (-2)·(-1/12) = 1/6"]),
    ("bce", ["\N{GREEK SMALL LETTER SIGMA}(z) =", "[ 0.2877 ]",
             "L = 1/3 Σ_{m=1..3} \N{SCRIPT SMALL L}_{m} = 0.8253"]),
    ("affine", ["∂L/∂b_{2} = Σ_{m=1..3} g_{m2} = 1 + 2 + 2 = 5"]),
    ("mlp", ["H = ReLU(Z_{1}) =\n  [ 1  1  0 ]\n  [ 4  0  3 ]", "L = -1/2 Σ_{m=1..2} ln p_{m y_{m}} = 1.7220",
             "ReLU'(Z_{1}) =\n  [ 1  1  0 ]\n  [ 1  0  1 ]"]),
])
def test_text_shows_logarithms_rounded_values_and_sums(topic: str, needles: list[str]) -> None:
    result = run(topic)
    assert result.returncode == 0, result.stderr
    for needle in needles:
        assert needle in result.stdout, (needle, result.stdout)


def test_help_shows_logarithm_defaults_as_they_are_typed() -> None:
    result = run("softmax-ce", "--help")
    assert "[[ln(1), ln(2), ln(3)], [ln(5), ln(1/2)," in result.stdout, result.stdout


@pytest.mark.parametrize("name", TOPICS)
def test_every_topic_page_shows_the_command_that_reproduces_it(name: str) -> None:
    from pathlib import Path

    docs = Path(__file__).resolve().parent.parent / "docs"
    for page in (f"{name}.md", f"{name}.en.md"):
        text = (docs / page).read_text(encoding="utf-8")
        assert f"python -m derivations {name.replace('_', '-')}\n" in text, page


def _page_commands() -> list[tuple[str, str]]:
    """Every ``python -m derivations ...`` line of every page's ```sh blocks, continuations joined."""
    import re
    from pathlib import Path

    found = []
    for page in sorted((Path(__file__).resolve().parent.parent / "docs").glob("*.md")):
        for block in re.findall(r"```sh\n(.*?)```", page.read_text(encoding="utf-8"), re.S):
            for line in block.replace("\\\n", " ").splitlines():
                if line.startswith("python -m derivations "):
                    found.append((page.name, line))
    return found


@pytest.mark.parametrize("page, command", _page_commands(), ids=lambda v: v if v.endswith(".md") else "")
def test_every_command_a_page_shows_runs(page: str, command: str) -> None:
    import shlex

    result = run(*shlex.split(command)[3:])
    assert result.returncode == 0, (page, command, result.stderr)
