"""The step-formula grammar of ``derivations.steps``, one construct at a time.

Each construct is parsed from a small formula and evaluated in a small made-up setting against a
SymPy value written here by hand; constructs outside the grammar, or used where they mean nothing,
must be rejected with an error that names the step and the token.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import sympy as sp

from derivations.steps import (
    Evaluator,
    Labels,
    Loss,
    Matrix,
    Output,
    Setting,
    Shape,
    TexMeaningError,
    TexSyntaxError,
    World,
    agree,
    parse,
    same_formula,
    tokenize,
    world,
)
from derivations.steps.syntax import Add, Apply, Chain, Letter, Node, Num, Ones, Power, Sub, Token


def sigma(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


# Z (M x N) with entries z_{ij}, a row vector b (1 x N) with b_{j}, a column vector c (M x 1) with c_{i};
# A = sigma(Z) entry by entry; H = Z + 1 b (b added to every row); L(H) with dL/dh_ij = g_ij;
# class labels y_i in 1..N.
SETTING = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"), Matrix("b", "b", "1", "N"), Matrix("c", "c", "M", "1")),
    forward=(Output("A", "a", lambda Z: Z.applyfunc(sigma)),
             Output("H", "h", lambda Z, b, M: Z + sp.ones(M, 1) * b)),
    variables=("Z", "b"),
    loss=Loss("L", of="H", gradient=Matrix("G", "g", "M", "N")),
    functions={"sigma": sigma},
    labels=(Labels("y", "M", "N", lambda size: (2, 3)),),
)
SIZES = (2, 3)
WORLD = world(SETTING, SIZES)
z = {(i, j): sp.Symbol(f"z_{i}_{j}") for i in (1, 2) for j in (1, 2, 3)}
g = {(i, j): sp.Symbol(f"g_{i}_{j}") for i in (1, 2) for j in (1, 2, 3)}
b = {j: sp.Symbol(f"b_{j}") for j in (1, 2, 3)}
Z = sp.ImmutableMatrix(2, 3, lambda r, s: z[r + 1, s + 1])
G = sp.ImmutableMatrix(2, 3, lambda r, s: g[r + 1, s + 1])


def value(tex: str, shape: tuple[int, int] | None = None, at: World = WORLD, **env: int):
    """The value of ``tex`` in the world ``at``, read as one side of the chain ``tex = tex``; ``shape`` is
    the other side's, which sizes a matrix written with ellipses."""
    chain = parse(f"{tex} = {tex}", "unit").clauses[0]
    assert isinstance(chain, Chain)
    return Evaluator(at, env, "unit").evaluate(chain.sides[0], shape)


def holds(tex: str, **env: int) -> bool:
    """Whether every side of the chain ``tex`` has the value of its first side."""
    chain = parse(tex, "unit").clauses[0]
    assert isinstance(chain, Chain)
    ev = Evaluator(WORLD, env, "unit")
    first = ev.evaluate(chain.sides[0])
    return all(agree(ev.evaluate(side), first) for side in chain.sides[1:])


def rejected(tex: str, token: str) -> None:
    with pytest.raises(TexSyntaxError) as info:
        parse(tex, "unit")
    message = str(info.value)
    assert "step unit" in message and token in message.split(" at offset")[0], message


# ---------------------------------------------------------------------------------------- functions


@pytest.mark.parametrize("tex, expected", [
    (r"\sigma(z_{12})", sigma(z[1, 2])),
    (r"\tanh(z_{11})", sp.tanh(z[1, 1])),
    (r"\exp(-z_{11})", sp.exp(-z[1, 1])),
    (r"\ln(z_{11})", sp.log(z[1, 1])),
    (r"\operatorname{erf}(z_{21})", sp.erf(z[2, 1])),
    (r"\max(0, z_{ij})", sp.Max(0, z[2, 3])),
    (r"\sigma(Z)", Z.applyfunc(sigma)),
    (r"\max(0, Z)", Z.applyfunc(lambda e: sp.Max(0, e))),
])
def test_function_application(tex: str, expected: sp.Expr) -> None:
    assert agree(value(tex, i=2, j=3), expected)


def test_a_declared_function_has_its_meaning_in_derivatives() -> None:
    r"""a = \sigma(z) has the derivative \sigma(z)(1 - \sigma(z)), which only simplification shows."""
    assert holds(r"\frac{\partial a_{ij}}{\partial z_{ij}} = \sigma(z_{ij})\,(1 - \sigma(z_{ij}))"
                 r" = \frac{\exp(-z_{ij})}{(1 + \exp(-z_{ij}))(1 + \exp(-z_{ij}))}", i=1, j=2)
    assert not holds(r"\frac{\partial a_{ij}}{\partial z_{ij}} = \sigma(z_{ij})", i=1, j=2)


def test_functions_are_strict() -> None:
    rejected(r"\sigma z_{11} = 0", "sigma")
    rejected(r"\sin(z_{11}) = 0", r"\sin")
    rejected(r"\operatorname{e rf}(z_{11}) = 0", "e rf")
    with pytest.raises(TexMeaningError, match="not declared"):
        value(r"\operatorname{softplus}(z_{11})")
    with pytest.raises(TexMeaningError, match="arguments"):
        value(r"\exp(z_{11}, z_{12})")
    with pytest.raises(TexMeaningError, match="different shapes"):
        value(r"\max(Z, b)")


# ------------------------------------------------------------------------------------ element-wise


def test_hadamard_product() -> None:
    assert agree(value(r"Z \odot G"), Z.multiply_elementwise(G))
    # \odot binds looser than juxtaposition: (Z^T G) \odot (Z^T G).
    square = Z.T * G
    assert agree(value(r"Z^{\mathsf T} G \odot Z^{\mathsf T} G"), square.multiply_elementwise(square))


@pytest.mark.parametrize("tex, message", [
    (r"Z \odot Z^{\mathsf T}", "2x3 and a 3x2"),
    (r"Z \odot b", "2x3 and a 1x3"),
    (r"z_{11} \odot z_{12}", "two matrices"),
])
def test_hadamard_needs_equal_shapes(tex: str, message: str) -> None:
    with pytest.raises(TexMeaningError, match=message):
        value(tex)


# ----------------------------------------------------------------------------------------- vectors


def test_vector_entries_take_one_index() -> None:
    assert value(r"b_{j}", j=3) == b[3]
    assert value(r"b_j", j=1) == b[1]
    assert value(r"c_{i}", i=2) == sp.Symbol("c_2")
    assert value(r"h_{ij}", i=2, j=3) == z[2, 3] + b[3]
    assert agree(value("b"), sp.ImmutableMatrix([[b[1], b[2], b[3]]]))
    with pytest.raises(TexMeaningError, match="takes 1 indices"):
        value(r"b_{1j}", j=1)
    with pytest.raises(TexMeaningError, match="out of range"):
        value(r"b_{4}")


def test_entry_of_a_computed_row() -> None:
    assert value(r"(\mathbf{1}^{\mathsf T} G)_{j}", j=2) == g[1, 2] + g[2, 2]


def test_sum_over_one_index() -> None:
    assert value(r"\sum_{i=1}^{M} g_{ij}", j=2) == g[1, 2] + g[2, 2]
    assert value(r"\sum_{j=1}^{N} b_{j}") == b[1] + b[2] + b[3]
    assert value(r"\sum_{i=1}^{M} c_i") == sp.Symbol("c_1") + sp.Symbol("c_2")
    assert value(r"\sum_{j=2}^{1} b_{j}") == 0  # empty


def test_bias_gradient_from_a_vector() -> None:
    """dL/db_j sums the column j of G, and dL/db (layout of b) is 1^T G."""
    assert holds(r"\frac{\partial L}{\partial b_{j}} = \sum_{i=1}^{M} g_{ij}"
                 r" = (\mathbf{1}^{\mathsf T} G)_{j}", j=3)
    assert holds(r"\frac{\partial L}{\partial b} = \mathbf{1}^{\mathsf T} G = \mathbf{1}_{M}^{\mathsf T} G")
    assert not holds(r"\frac{\partial L}{\partial b} = \mathbf{1}^{\mathsf T} Z")


# ---------------------------------------------------------------------------------------- the ones


def test_ones_vector() -> None:
    assert agree(value(r"\mathbf{1}_{M}"), sp.ImmutableMatrix([1, 1]))
    assert agree(value(r"\mathbf{1}_N^{\mathsf T}"), sp.ImmutableMatrix([[1, 1, 1]]))
    assert agree(value(r"\mathbf{1}^{\mathsf T} G"), sp.ones(1, 2) * G)
    assert agree(value(r"\mathbf{1}^{\mathsf T} G Z^{\mathsf T}"), sp.ones(1, 2) * G * Z.T)  # sized by G
    assert agree(value(r"G \mathbf{1}"), G * sp.ones(3, 1))
    assert agree(value(r"Z^{\mathsf T} G \mathbf{1}"), Z.T * G * sp.ones(3, 1))  # sized by G
    assert agree(value(r"Z + \mathbf{1}_{M} b"), WORLD.values["H"])


def test_ones_vector_needs_a_length() -> None:
    with pytest.raises(TexMeaningError, match="not determined"):
        value(r"\mathbf{1} b")
    with pytest.raises(TexMeaningError, match="not determined"):
        value(r"\mathbf{1}^{\mathsf T}")
    with pytest.raises(TexMeaningError, match="not determined"):  # a row of ones sizes by what follows it
        value(r"G \mathbf{1}^{\mathsf T}")
    with pytest.raises(TexMeaningError, match="not determined"):
        value(r"Z + \mathbf{1}")
    rejected(r"\mathbf{x} = 0", r"\mathbf{x}")
    rejected(r"\mathbf{1}_{MN} = 0", "one size")


# ------------------------------------------------------------------------------------------ quotients


def test_plain_fraction() -> None:
    assert agree(value(r"\frac{1}{1 + \exp(-z_{ij})}", i=1, j=1), sigma(z[1, 1]))
    assert agree(value(r"\frac{Z}{2}"), Z / 2)
    assert agree(value(r"\frac{1}{M N} \sum_{j=1}^{N} b_{j}"), (b[1] + b[2] + b[3]) / 6)


def test_plain_fraction_is_strict() -> None:
    with pytest.raises(TexMeaningError, match="divides"):
        value(r"\frac{z_{11}}{Z}")
    with pytest.raises(TexMeaningError, match="b = 0"):
        value(r"\frac{1}{M - 2}")
    rejected(r"\frac{\partial L}{z_{11}} = 0", "z")
    rejected(r"\frac{L}{\partial z_{11}} = 0", r"\partial")


# ------------------------------------------------------------------------------------------ indicator


@pytest.mark.parametrize("tex, env, expected", [
    (r"[y_i = k]", {"i": 1, "k": 2}, 1),
    (r"[y_i = k]", {"i": 1, "k": 3}, 0),
    (r"[y_{i} = k]", {"i": 2, "k": 3}, 1),
    (r"\mathbb{1}[y_i = k]", {"i": 2, "k": 1}, 0),
    (r"\mathbb{1}[i \ne k]", {"i": 2, "k": 1}, 1),
    (r"[i = 2]", {"i": 2}, 1),
    (r"[k = N]", {"k": 2}, 0),
])
def test_iverson_bracket(tex: str, env: dict[str, int], expected: int) -> None:
    assert value(tex, **env) == expected


def test_indicator_in_a_gradient() -> None:
    """The softmax-with-cross-entropy shape: p_ik - [y_i = k], with z standing in for p."""
    assert value(r"z_{ik} - [y_i = k]", i=1, k=2) == z[1, 2] - 1
    assert value(r"\sum_{k=1}^{N} [y_i = k]", i=2) == 1


def test_indicator_is_strict() -> None:
    with pytest.raises(TexMeaningError, match="compares index letters"):
        value(r"[z_{11} = 0]")
    with pytest.raises(TexMeaningError, match="only in a relation"):
        value(r"y_{i}", i=1)
    with pytest.raises(TexMeaningError, match="out of range"):
        value(r"[y_i = k]", i=3, k=1)
    with pytest.raises(TexMeaningError, match="the label y takes one index"):
        value(r"[y_{12} = 1]")
    rejected(r"G[i, k] = 0", "[")
    rejected(r"\mathbb{R} = 0", r"\mathbb{R}")


# -------------------------------------------------------------------- inner products and differentials

dz = {(i, j): sp.Symbol(f"dz_{i}_{j}") for i in (1, 2) for j in (1, 2, 3)}
db = {j: sp.Symbol(f"db_{j}") for j in (1, 2, 3)}
dZ = sp.ImmutableMatrix(2, 3, lambda r, s: dz[r + 1, s + 1])
dB = sp.ImmutableMatrix(1, 3, lambda _, s: db[s + 1])


def test_frobenius_inner_product() -> None:
    assert value(r"\langle Z, G \rangle") == sp.Add(*(z[k] * g[k] for k in z))
    assert agree(value(r"\langle Z, G \rangle"), (Z.T * G).trace())
    # Each argument is a whole expression: <Z^T G, Z^T G> is the sum of the squares of Z^T G's entries.
    square = Z.T * G
    assert agree(value(r"\langle Z^{\mathsf T} G, Z^{\mathsf T} G \rangle"), sum(e ** 2 for e in square))
    # Moving a factor across: <A, B C> = <B^T A, C> = <A C^T, B>, with B = G and C = 1 b (N x N).
    left = r"\langle Z, G\, \mathbf{1}_{N} b \rangle"
    assert holds(left + r" = \langle G^{\mathsf T} Z, \mathbf{1}_{N} b \rangle"
                 r" = \langle Z\, (\mathbf{1}_{N} b)^{\mathsf T}, G \rangle")
    assert not holds(left + r" = \langle Z^{\mathsf T} G, \mathbf{1}_{N} b \rangle")


@pytest.mark.parametrize("tex, message", [
    (r"\langle Z, Z^{\mathsf T} \rangle", "2x3 and a 3x2"),
    (r"\langle z_{11}, z_{12} \rangle", "two matrices"),
    (r"\langle Z, b \rangle", "2x3 and a 1x3"),
])
def test_inner_product_needs_two_matrices_of_one_shape(tex: str, message: str) -> None:
    with pytest.raises(TexMeaningError, match=message):
        value(tex)


def test_inner_product_syntax_is_strict() -> None:
    rejected(r"\langle Z G \rangle = 0", "comma")
    rejected(r"\langle Z, G = 0", r"\rangle")
    rejected(r"\langle Z, G, Z \rangle = 0", r"\rangle")


def test_differential_of_a_variable() -> None:
    assert agree(value(r"\mathrm{d}Z"), dZ)
    assert value(r"\mathrm{d}z_{ij}", i=2, j=1) == dz[2, 1]
    assert value(r"\mathrm{d}b_{j}", j=3) == db[3]
    assert agree(value(r"\mathrm{d}Z^{\mathsf T}"), dZ.T)


def test_differential_of_a_computed_value() -> None:
    """dH = dZ + 1 db entry by entry; da = sigma'(z) dz; dL = <G, dH> with dL/dh_ij renamed g_ij."""
    assert agree(value(r"\mathrm{d}H"), dZ + sp.ones(2, 1) * dB)
    assert agree(value(r"\mathrm{d}h_{ij}", i=1, j=2), dz[1, 2] + db[2])
    assert agree(value(r"\mathrm{d}a_{ij}", i=2, j=3), sigma(z[2, 3]) * (1 - sigma(z[2, 3])) * dz[2, 3])
    assert holds(r"\mathrm{d}L = \langle G, \mathrm{d}H \rangle = \langle G, \mathrm{d}Z \rangle"
                 r" + \langle \mathbf{1}_{M}^{\mathsf T} G, \mathrm{d}b \rangle"
                 r" = \sum_{i=1}^{M} \sum_{j=1}^{N} g_{ij}\, \mathrm{d}h_{ij}")
    assert not holds(r"\mathrm{d}L = \langle G, \mathrm{d}Z \rangle")


def test_differential_binds_to_the_next_factor_only() -> None:
    assert agree(value(r"\mathrm{d}Z\, Z^{\mathsf T}"), dZ * Z.T)
    assert agree(value(r"Z\, \mathrm{d}Z^{\mathsf T}"), Z * dZ.T)
    assert agree(value(r"\mathrm{d}(Z\, Z^{\mathsf T})"), dZ * Z.T + Z * dZ.T)


def test_differential_is_strict() -> None:
    with pytest.raises(TexMeaningError, match="depends on none of the variables"):
        value(r"\mathrm{d}G")
    with pytest.raises(TexMeaningError, match="depends on none of the variables"):
        value(r"\mathrm{d}M")
    rejected(r"\mathrm{e}Z = 0", r"\mathrm{e}")
    rejected(r"\mathrm{d} = 0", r"\mathrm{d}")
    rejected(r"\mathrm{d}\mathrm{d}Z = 0", r"\mathrm{d}")
    rejected(r"\mathrm{d}\sum_{i=1}^{M} z_{i1} = 0", r"\mathrm{d}")
    # An italic d is the letter d, so dZ is d times Z, and d means nothing here.
    with pytest.raises(TexMeaningError, match="bare letter d"):
        value(r"dZ")


# -------------------------------------------------------------------------------------- miscellaneous


def test_leading_minus() -> None:
    assert value(r"-z_{11} + z_{12}") == -z[1, 1] + z[1, 2]
    assert agree(value(r"-Z"), -Z)


def test_language_comparison_leaves_out_only_text() -> None:
    tex = (r"\begin{bmatrix} z_{i1} \end{bmatrix}"
           r" \begin{matrix} \leftarrow \text{第 } i \text{ 行} \end{matrix}")
    assert same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } i"), "unit")
    assert not same_formula(tex, tex.replace(r"\text{第 } i \text{ 行}", r"\text{row } j"), "unit")
    assert not same_formula(r"\sigma(z_{ij})", r"\tanh(z_{ij})", "unit")
    assert not same_formula(r"[y_i = k]", r"[y_i \ne k]", "unit")
    assert not same_formula(r"\langle G, \mathrm{d}Z \rangle", r"\langle G, Z \rangle", "unit")


def test_setting_declarations_are_checked() -> None:
    with pytest.raises(ValueError, match="declared twice"):
        Setting(("M",), (Matrix("X", "x", "M", "M"), Matrix("Y", "x", "M", "M")), (), ())
    with pytest.raises(ValueError, match="undeclared sizes"):
        Setting(("M",), (Matrix("X", "x", "M", "K"),), (), ())
    with pytest.raises(ValueError, match="variables"):
        Setting(("M",), (Matrix("X", "x", "M", "M"),), (), ("W",))
    with pytest.raises(ValueError, match=r"^size letters are single capitals: \('m',\)$"):
        Setting(("m",), (Matrix("X", "x", "m", "m"),), (), ())
    with pytest.raises(ValueError, match=r"^size letters are single capitals: \('MN',\)$"):
        Setting(("MN",), (Matrix("X", "x", "MN", "MN"),), (), ())
    with pytest.raises(ValueError, match=r"^undeclared sizes \['K'\]$"):
        Setting(("M",), (Matrix("X", "x", "M", "M"),), (), (), labels=(Labels("y", "M", "K", lambda _: ()),))
    with pytest.raises(ValueError, match=r"^entry letters are single lowercase letters: \['X'\]$"):
        Setting(("M",), (Matrix("X", "X", "M", "M"),), (), ())
    with pytest.raises(ValueError, match=r"^entry letters are single lowercase letters: \['xy'\]$"):
        Setting(("M",), (Matrix("X", "xy", "M", "M"),), (), ())
    for constants in ({"S": sp.Symbol("S")}, {"x": sp.Symbol("x")}, {"st": sp.Symbol("st")}):
        with pytest.raises(ValueError, match=r"^constants are single lowercase letters not"):
            Setting(("M",), (Matrix("X", "x", "M", "M"),), (), (), constants=constants)
    with pytest.raises(ValueError, match=r"^the loss must be of an output, not Q$"):
        Setting(("M",), (Matrix("X", "x", "M", "M"),), (), (),
                loss=Loss("L", of="Q", gradient=Matrix("G", "g", "M", "M")))



def test_a_world_shows_without_its_caches() -> None:
    assert "_derivatives" not in repr(WORLD) and "_through" not in repr(WORLD)


@pytest.mark.parametrize("declared", [SETTING, *SETTING.symbols, *SETTING.forward, SETTING.loss,
                                      *SETTING.labels], ids=lambda d: type(d).__name__)
def test_a_declaration_is_frozen(declared: object) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        declared.sizes = ()


@pytest.mark.parametrize("kind", [Token, *Node.__subclasses__()], ids=lambda kind: kind.__name__)
def test_a_token_and_every_tree_node_are_frozen(kind: type) -> None:
    """One parsed formula is evaluated at every binding of its free indices; none of them may change it."""
    fields = dataclasses.fields(kind)
    made = kind(*(None for _ in fields))
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(made, fields[0].name, None)


Z_ONLY = Matrix("Z", "z", "M", "N")


@pytest.mark.parametrize("labels", [(4, 1), (0, 1), (1,), (1, 2, 3)])
def test_labels_must_fit_their_sizes(labels: tuple[int, ...]) -> None:
    setting = Setting(("M", "N"), (Z_ONLY,), (), (), labels=(Labels("y", "M", "N", lambda size: labels),))
    message = rf"^labels y = {re.escape(str(labels))} do not fit Labels\(entry='y'"
    with pytest.raises(ValueError, match=message):
        world(setting, SIZES)
    edges = Setting(("M", "N"), (Z_ONLY,), (), (), labels=(Labels("y", "M", "N", lambda size: (1, 3)),))
    assert world(edges, SIZES).labels == {"y": (1, 3)}


def test_a_world_refuses_what_its_setting_cannot_mean() -> None:
    with pytest.raises(ValueError, match=r"^sizes \(2,\) do not match the size letters \('M', 'N'\)$"):
        world(SETTING, (2,))
    with pytest.raises(ValueError, match=r"^sizes \(2, 3, 4\) do not match the size letters \('M', 'N'\)$"):
        world(SETTING, (2, 3, 4))
    wrong_gradient = Loss("L", of="A", gradient=Matrix("G", "g", "N", "M"))
    as_is = (Output("A", "a", lambda Z: Z),)
    with pytest.raises(ValueError, match=r"^the gradient G must have the shape of the matrix A$"):
        world(Setting(("M", "N"), (Z_ONLY,), as_is, (), loss=wrong_gradient), SIZES)
    transposed = (Output("A", "a", lambda Z: Z.T),)
    with pytest.raises(ValueError, match=r"^the gradient G must have the shape of the matrix A$"):
        right_gradient = Loss("L", of="A", gradient=Matrix("G", "g", "M", "N"))
        world(Setting(("M", "N"), (Z_ONLY,), transposed, (), loss=right_gradient), SIZES)
    with pytest.raises(ValueError, match=r"^the definition of A names \['Q'\], which are not declared"):
        world(Setting(("M", "N"), (Z_ONLY,), (Output("A", "a", lambda Q: Q),), ()), SIZES)
    with pytest.raises(TexMeaningError, match=r"^step unit: dH/dA differentiates a matrix H$"):
        value(r"\frac{\partial H}{\partial A}")
    scalars = (Output("S", None, lambda Z: sp.Add(*Z)), Output("T", None, lambda S: S**2))
    scalar_world = world(Setting(("M", "N"), (Z_ONLY,), scalars, ("Z",)), SIZES)
    with pytest.raises(TexMeaningError, match=r"^step unit: S is not a matrix$"):
        value(r"\frac{\partial T}{\partial S}", at=scalar_world)


def test_a_function_the_setting_does_not_declare_has_no_derivative() -> None:
    """f is declared, h is not: the derivative of f(z) h(z) leaves f' (which has a meaning) and h'."""
    h = sp.Function("h")
    forward = (Output("A", "a", lambda Z: Z.applyfunc(lambda e: F(e) * h(e))),)
    undeclared = world(Setting(("M", "N"), (Z_ONLY,), forward, ("Z",), functions={"f": F}), SIZES)
    message = "unmapped derivative left in d(f(z_1_1)*h(z_1_1))/d(z_1_1)"
    with pytest.raises(TexMeaningError, match=f"^{re.escape(message)}$"):
        value(r"\frac{\partial a_{11}}{\partial z_{11}}", at=undeclared)


# ------------------------------------------------------------- primes, powers, comparisons, constants


def test_a_primed_function_is_its_derivative() -> None:
    assert agree(value(r"\sigma'(z_{12})"), sigma(z[1, 2]) * (1 - sigma(z[1, 2])))
    assert agree(value(r"\tanh'(Z)"), Z.applyfunc(lambda e: 1 - sp.tanh(e) ** 2))
    assert holds(r"\frac{\partial a_{ij}}{\partial z_{ij}} = \sigma'(z_{ij})", i=2, j=1)
    assert not holds(r"\frac{\partial a_{ij}}{\partial z_{ij}} = \sigma'(z_{ji})", i=2, j=1)
    with pytest.raises(TexMeaningError, match="not declared"):
        value(r"\operatorname{softplus}'(z_{11})")
    rejected(r"\sigma''(z_{11}) = 0", "'")


def test_powers_of_scalars() -> None:
    assert value(r"z_{12}^{2}") == z[1, 2] ** 2
    assert value(r"(1 + z_{11})^3") == (1 + z[1, 1]) ** 3
    assert value(r"\tanh(z_{11})^{2}") == sp.tanh(z[1, 1]) ** 2
    with pytest.raises(TexMeaningError, match="only a scalar"):
        value(r"Z^{2}")
    rejected(r"z_{11}^{0} = 1", "0")
    rejected(r"z_{11}^{-1} = 1", "'-'")
    rejected(r"z_{11}^12 = 1", "12")  # two digits need braces


@pytest.mark.parametrize("tex, holds_at", [
    (r"[z_{11} > 0]", {"z_1_1": (3, 1), "neg": (-3, 0), "zero": (0, 0)}),
    (r"[z_{11} \ge 0]", {"z_1_1": (3, 1), "neg": (-3, 0), "zero": (0, 1)}),
    (r"[z_{11} < 0]", {"z_1_1": (3, 0), "neg": (-3, 1), "zero": (0, 0)}),
    (r"\mathbb{1}[z_{11} \le 0]", {"z_1_1": (3, 0), "neg": (-3, 1), "zero": (0, 1)}),
])
def test_iverson_bracket_of_values(tex: str, holds_at: dict[str, tuple[int, int]]) -> None:
    """A comparison of values is a Piecewise: 1 where it holds, 0 elsewhere, including the edge."""
    bracket = value(tex)
    for point, expected in holds_at.values():
        assert bracket.subs(z[1, 1], point) == expected


def test_iverson_bracket_of_a_matrix_and_the_edge_case() -> None:
    assert agree(value(r"[Z > 0]"), Z.applyfunc(lambda e: sp.Piecewise((1, e > 0), (0, True))))
    assert not agree(value(r"[z_{11} > 0]"), value(r"[z_{11} \ge 0]"))
    with pytest.raises(TexMeaningError, match="different shapes"):
        value(r"[Z > Z^{\mathsf T}]")


def test_a_literal_number_spreads_over_a_matrix() -> None:
    assert agree(value(r"1 - Z"), sp.ones(2, 3) - Z)
    assert agree(value(r"2 + Z"), 2 * sp.ones(2, 3) + Z)
    squares = Z.multiply_elementwise(Z)
    assert agree(value(r"G \odot (1 - Z \odot Z)"), G.multiply_elementwise(sp.ones(2, 3) - squares))
    with pytest.raises(TexMeaningError, match="different kinds"):
        value(r"z_{11} - Z")
    with pytest.raises(TexMeaningError, match="different kinds"):
        value(r"Z - z_{11}")


@pytest.mark.parametrize("tex", [r"G_{123}", r"(z_{11})_{12}"])
def test_only_a_matrix_is_indexed_and_with_two_indices(tex: str) -> None:
    with pytest.raises(TexMeaningError, match="only a matrix can be indexed, with two indices"):
        value(tex)


@pytest.mark.parametrize("narrow", [Z[:, :1], Z[:1, :]])
def test_matrices_of_different_shapes_do_not_agree(narrow: sp.ImmutableMatrix) -> None:
    assert not agree(Z, narrow) and not agree(narrow, Z)


def test_shapes_agree_when_equal_and_a_matrix_never_agrees_with_a_scalar() -> None:
    assert agree(Shape(2, 3), Shape(2, 3))
    assert not agree(Shape(2, 3), Shape(3, 2)) and not agree(Shape(2, 3), Z)
    assert not agree(Shape(2, 3), sp.Integer(6)) and not agree(sp.Integer(6), Shape(2, 3))
    assert not agree(Z, z[1, 1]) and not agree(z[1, 1], Z)


def test_a_shape_multiplies_only_a_shape() -> None:
    with pytest.raises(TexMeaningError, match="a shape multiplied by a non-shape"):
        value(r"(M \times N) Z")


@pytest.mark.parametrize("tex", [r"\frac{\partial (M \times N)}{\partial Z}",
                                 r"\frac{\partial L}{\partial (M \times N)}"])
def test_a_shape_has_no_derivative(tex: str) -> None:
    with pytest.raises(TexMeaningError, match="cannot differentiate a shape"):
        value(tex)


# ------------------------------------------------------------------------------- schematic matrices


@pytest.mark.parametrize("first, last", [("z_{11}", "g_{13}"), ("g_{11}", "z_{13}")])
def test_an_ellipsis_continues_an_index_of_one_matrix_only(first: str, last: str) -> None:
    with pytest.raises(TexMeaningError, match="continues no index pattern"):
        value(rf"\begin{{bmatrix}} {first} & \cdots & {last} \end{{bmatrix}}")


@pytest.mark.parametrize("column", [r"\vdots \\ z_{11}", r"z_{11} \\ \vdots"])
def test_a_matrix_begins_and_ends_with_explicit_rows(column: str) -> None:
    with pytest.raises(TexMeaningError, match="must begin and end with explicit rows"):
        value(rf"\begin{{bmatrix}} {column} \end{{bmatrix}}")


@pytest.mark.parametrize("columns", [3, 5])
def test_an_ellipsis_between_equal_cells_spans_what_the_other_side_leaves(columns: int) -> None:
    row = value(r"\begin{bmatrix} 0 & \cdots & 0 & 1 \end{bmatrix}", shape=(1, columns))
    assert row == sp.ImmutableMatrix([[0] * (columns - 1) + [1]])
    twos = value(r"\begin{bmatrix} 2 & \cdots & 2 & 1 \end{bmatrix}", shape=(1, columns))
    assert twos == sp.ImmutableMatrix([[2] * (columns - 1) + [1]])
    repeated = value(r"\begin{bmatrix} z_{11} & \cdots & z_{11} \end{bmatrix}", shape=(1, columns))
    assert repeated == sp.ImmutableMatrix([[z[1, 1]] * columns])


def test_a_matrix_begins_and_ends_with_explicit_columns() -> None:
    with pytest.raises(TexMeaningError, match="must begin and end with explicit columns"):
        value(r"\begin{bmatrix} \cdots & z_{11} \end{bmatrix}")


def test_an_ellipsis_steps_every_line_by_one_amount() -> None:
    with pytest.raises(TexMeaningError, match=r"N=3: the column ellipsis after line 1 spans 2 and 1$"):
        value(r"\begin{bmatrix} z_{11} & \cdots & z_{13} \\ z_{21} & \cdots & z_{22} \end{bmatrix}")


def test_a_column_label_names_the_middle_explicit_column() -> None:
    def labelled(column: int) -> str:
        return (rf"\underset{{\substack{{\uparrow \\ \text{{column }} {column}}}}}"
                r"{\begin{bmatrix} 1 & 2 & 3 & 4 & 5 \end{bmatrix}}")

    assert value(labelled(3)) == sp.ImmutableMatrix([[1, 2, 3, 4, 5]])
    for column in (2, 4):
        with pytest.raises(TexMeaningError, match="inconsistent column positions"):
            value(labelled(column))
    with pytest.raises(TexMeaningError, match="needs a middle explicit column"):
        value(r"\underset{\substack{\uparrow \\ \text{column } 2}}"
              r"{\begin{bmatrix} 1 & 2 & 3 & 4 \end{bmatrix}}")


@pytest.mark.parametrize("row", [1, 3])
def test_a_row_label_and_the_other_side_must_agree(row: int) -> None:
    labelled = (r"\begin{bmatrix} 0 \\ \vdots \\ z_{11} \end{bmatrix}"
                r"\begin{matrix} \vphantom{0} \\ \vphantom{\vdots} \\ "
                rf"\leftarrow \text{{row }} {row} \end{{matrix}}")
    message = f"explicit row line 2 is at row {row} and, by the size of the other side, at row 2$"
    with pytest.raises(TexMeaningError, match=message):
        value(labelled, shape=(2, 1))


# ---------------------------------------------------------------------------------- meaningless TeX


def test_a_computed_vector_takes_one_index_or_two() -> None:
    """A column's one index is its row and a row's is its column; two indices work as in any matrix."""
    column, row = 2 * sp.Symbol("c_2"), 2 * b[2]
    assert value(r"(2c)_{2}") == value(r"(2c)_{21}") == column
    assert value(r"(2b)_{2}") == value(r"(2b)_{12}") == row


@pytest.mark.parametrize("tex, env, message", [
    (r"z_{ij}", {}, "index letter i is not bound (not a free index of the step, not summed)"),
    (r"[y_{:} = 1]", {}, "':' is not allowed here"),
    (r"\delta_{:1}", {}, "':' is not allowed here"),
    (r"[(M \times N) > 0]", {}, "cannot compare a shape"),
    (r"z_{11}^{\mathsf T}", {}, "only a matrix can be transposed"),
    (r"\delta_{1}", {}, "delta needs two indices"),
    (r"Z \times N", {}, r"the operands of \times must be sizes"),
    (r"q_{11}", {}, "unknown indexed symbol q"),
    (r"(Z)_{31}", {}, "index 3 out of range for a 2x3 matrix"),
    (r"(Z)_{01}", {}, "index 0 out of range for a 2x3 matrix"),
    (r"z_{01}", {}, "z_{0,1} is out of range for Z of shape 2x3"),
    (r"z_{10}", {}, "z_{1,0} is out of range for Z of shape 2x3"),
    (r"z_{123}", {}, "z takes 2 indices, got 3"),
    (r"z_{1}", {}, "z takes 2 indices, got 1"),
    (r"[y_{0} = 2]", {}, "y_{0} is out of range 1..2"),
    (r"Z \odot 2", {}, r"\odot multiplies two matrices entry by entry"),
    (r"\begin{bmatrix} z_{13} & \cdots & z_{11} \end{bmatrix}", {},
     "the schematic does not apply: explicit columns at [1, -1]"),
    (r"\delta_{123}", {}, "delta needs two indices"),
    (r"(2Z)_{1}", {}, "only a matrix can be indexed, with two indices (one for a row or column)"),
    (r"\frac{M \times N}{2}", {}, r"\frac{a}{b} divides a scalar or a matrix by a scalar"),
    (r"\frac{1}{Z}", {}, r"\frac{a}{b} divides a scalar or a matrix by a scalar"),
    (r"\frac{1}{z_{11} - z_{11}}", {}, r"\frac{a}{b} with b = 0"),
    (r"[y_{3} = 2]", {}, "y_{3} is out of range 1..2"),
    (r"b_{12}", {}, "b takes 1 indices, got 2"),
    (r"[Z > G^{\mathsf T}]", {}, "comparison of matrices of different shapes [(2, 3), (3, 2)]"),
    (r"(Z)_{13}", {}, None),
    (r"\begin{bmatrix} 1 & \cdots & -1 \end{bmatrix}", {},
     "the column ellipsis between 1 and -1 continues no index pattern"),
    (r"\frac{\partial L}{\partial g_{11}}", {},
     "cannot differentiate with respect to g_1_1: not an entry of Z, b"),
    (r"\sum_{i=1}^{N} z_{1i}", {"i": 1}, "summation variable i shadows a bound letter"),
    (r"\sigma((M \times N))", {}, "sigma of a shape"),
    (r"\mathrm{d}(M \times N)", {}, r"\mathrm{d} of a shape"),
    (r"(M \times N)(M \times N)", {}, "shapes (2x3)(2x3) do not chain"),
    (r"(N \times M)(N \times M)", {}, "shapes (3x2)(3x2) do not chain"),
    (r"-(M \times N)", {}, "cannot negate a shape"),
    (r"\begin{bmatrix} Z \end{bmatrix}", {}, "a matrix cell must be a scalar"),
    (r"\begin{bmatrix} z_{11} & \cdots & z_{13} \\ z_{21} & z_{22} & z_{23} \end{bmatrix}", {},
     r"\cdots must fill the same column in every explicit row"),
    (r"\begin{bmatrix} 0 \\ \vdots \\ z_{11} \end{bmatrix}"
     r"\begin{matrix} \vphantom{0} \\ \leftarrow \text{row } 2 \\ \vphantom{0} \end{matrix}", {},
     "the row label points at an ellipsis row"),
    (r"\begin{bmatrix} z_{11} & z_{12} \\ \vdots & z_{22} \end{bmatrix}", {},
     r"a row mixes \vdots, \ddots or empty cells with explicit cells"),
    (r"\begin{bmatrix} z_{11} \\ \vdots \\ \vdots \\ z_{21} \end{bmatrix}", {},
     "two ellipses in a row along the rows"),
    (r"\begin{bmatrix} z_{11} & \cdots & z_{23} \end{bmatrix}", {},
     "the column ellipsis between z_{1,1} and z_{2,3} continues no index pattern"),
    (r"\langle Z, 2 \rangle", {}, r"\langle A, B \rangle takes two matrices"),
])
def test_a_formula_that_means_nothing_is_rejected_saying_why(tex: str, env: dict[str, int],
                                                             message: str | None) -> None:
    if message is None:  # the edge of the range, for contrast
        assert value(tex, **env) == z[1, 3]
        return
    with pytest.raises(TexMeaningError) as info:
        value(tex, **env)
    assert str(info.value).endswith(f": {message}"), info.value


# ---------------------------------------------------------------------------------- outside the grammar


@pytest.mark.parametrize("tex, message", [
    ('\\text x = 0',
     "expected '{' at offset 6, near '\\text x = 0'"),
    ('\\text{x = 0',
     "unbalanced '{' at offset 5, near '\\text{x = 0'"),
    ('\\begin{pmatrix} 1 \\end{pmatrix} = 0',
     "unsupported environment after \\begin at offset 0, near '\\begin{pmatrix} 1 \\end"
     "{pmatrix} = 0'"),
    ('z_{11} =',
     'expected an expression at the end of the formula'),
    ('z_{11} = 0 )',
     "unexpected token, found ')' at offset 11, near 'z_{11} = 0 )'"),
    ('z_{11}',
     "expected '=' after the expression at the end of the formula"),
    ('\\begin{aligned} z_{11} & + 1 = 0 \\end{aligned}',
     "'&' must be followed by '=', found '+' at offset 25, near '\\begin{aligned} z_{"
     "11} & + 1 = 0 \\end{aligned}'"),
    ('\\begin{aligned} z_{11} \\end{aligned}',
     "an aligned block needs at least one '=' at the end of the formula"),
    ('z_{11} = 0 \\quad (m \\ne i, j)',
     "expected '\\ne' or '=' in the condition, found ')' at offset 28, near '11} = 0 "
     "\\quad (m \\ne i, j)'"),
    ('\\cdot z_{11} = 0',
     "'\\cdot' without a left factor, found '\\\\cdot' at offset 0, near '\\cdot z_{11} "
     "= 0'"),
    ('z_{11} \\cdot = 0',
     "'\\cdot' without a right factor, found '=' at offset 13, near 'z_{11} \\cdot = 0"
     "'"),
    ('( ) = 0',
     "expected an expression, found ')' at offset 2, near '( ) = 0'"),
    ('z_{11} = z_',
     'unexpected end of formula at the end of the formula'),
    ('\\sum_{M=1}^{N} z_{11} = 0',
     "the summation variable must be a lowercase letter, found 'M' at offset 6, near"
     " '\\sum_{M=1}^{N} z_{11} = 0'"),
    ('\\sum_{k=1}^{:} z_{1k} = 0',
     "expected one index letter or digit, found ':' at offset 12, near '\\sum_{k=1}^{"
     ":} z_{1k} = 0'"),
    ('z_{1+1} = 0',
     "unsupported token in a subscript, found '+' at offset 4, near 'z_{1+1} = 0'"),
    ('z_{12,1} = 0',
     "comma-separated subscripts need exactly one index per part, found '=' at offse"
     "t 9, near 'z_{12,1} = 0'"),
    ('z_{} = 0',
     "empty subscript, found '=' at offset 5, near 'z_{} = 0'"),
    ('\\begin{bmatrix} 1 & 2 \\\\ 3 \\end{bmatrix} = 0',
     "the rows of the matrix have different numbers of cells, found '=' at offset 41"
     ", near '1 & 2 \\\\ 3 \\end{bmatrix} = 0'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\leftarrow \\text{row } i \\'
     '\\ \\leftarrow \\text{row } j \\end{matrix} = 0',
     "more than one row label, found '\\\\leftarrow' at offset 80, near 'ftarrow \\text"
     "{row } i \\\\ \\leftarrow \\text{row } j \\end{matri'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} x \\\\ \\vphantom{0} \\end{mat'
     'rix} = 0',
     "a side label column may hold only \\vphantom and \\leftarrow labels, found 'x' a"
     "t offset 52, near '{bmatrix} \\begin{matrix} x \\\\ \\vphantom{0} \\end{mat'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\leftarrow \\text{row } i \\'
     'end{matrix} = 0',
     "the side label column has 1 rows but the matrix has 2, found 'matrix' at offse"
     "t 77, near '\\leftarrow \\text{row } i \\end{matrix} = 0'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\leftarrow \\text{row } i +'
     ' 1 \\\\ \\vphantom{0} \\end{matrix} = 0',
     "unsupported token in a label, found '+' at offset 77, near '\\leftarrow \\text{r"
     "ow } i + 1 \\\\ \\vphantom{0} \\end{m'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\leftarrow \\text{row } i j'
     ' \\\\ \\vphantom{0} \\end{matrix} = 0',
     "a label needs exactly one index outside \\text (this one has i, j), found 'row ' "
     "at offset 63, near 'begin{matrix} \\leftarrow \\text{row } i j \\\\ \\vphantom{0} \\"
     "end'"),
    ('  ',
     'empty formula'),

    ('z_{11} = \\text',
     "expected '{' at offset 14, near 'z_{11} = \\text'"),
    (r"\begin{pmatrix} 123456789 123456789 123456789 123456789 \end{pmatrix} = 0",
     r"unsupported environment after \begin at offset 0, near '\begin{pmatrix} 123456789 123456789 1234567'"),
    ('\\begin{aligned} z_{11} &= 1 \\\\ + 2 \\end{aligned}',
     "each continued row of an aligned block must start with '&=', found '+' at offs"
     "et 31, near '{aligned} z_{11} &= 1 \\\\ + 2 \\end{aligned}'"),
    ('z_{11}^{0} = 0',
     "a power needs a positive integer exponent, ^2 or ^{12}, found '0' at offset 8, near 'z_{11}^{0} = 0'"),
    ('z_{11}^12 = 0',
     "a power needs a positive integer exponent, ^2 or ^{12}, found '12' at offset 7, near 'z_{11}^12 = 0'"),
    ('\\langle Z Z \\rangle = 0',
     "\\langle A, B \\rangle needs a comma between its two matrices, found '\\\\langle' "
     "at offset 0, near '\\langle Z Z \\rangle = 0'"),
    ('[z_{11}] = 0',
     'an Iverson bracket [...] must hold one relation a = b, a \\ne b, a > b, a < b, '
     "a \\ge b or a \\le b, found '[' at offset 0, near '[z_{11}] = 0'"),
    ('z_{11}^{T} = 0',
     "a superscript is {\\mathsf T} or a positive integer power, found 'T' at offset "
     "8, near 'z_{11}^{T} = 0'"),
    ('z_{11}^{\\mathsf{T} = 0',
     "a superscript is {\\mathsf T} or a positive integer power, found '=' at offset "
     "19, near 'z_{11}^{\\mathsf{T} = 0'"),
    ('\\frac{\\partial L}{z_{11}} = 0',
     'a derivative \\frac{\\partial F}{\\partial v} needs \\partial in both parts, found'
     " 'z' at offset 18, near '\\frac{\\partial L}{z_{11}} = 0'"),
    ('\\frac{L}{\\partial z_{11}} = 0',
     'a derivative \\frac{\\partial F}{\\partial v} needs \\partial in both parts, found'
     " '\\\\partial' at offset 9, near '\\frac{L}{\\partial z_{11}} = 0'"),
    ('\\sigma z_{11} = 0',
     "a function (sigma) needs its arguments in parentheses, found 'z' at offset 7, "
     "near '\\sigma z_{11} = 0'"),
    ("\\sigma' z_{11} = 0",
     "a function (sigma') needs its arguments in parentheses, found 'z' at offset 8,"
     " near '\\sigma' z_{11} = 0'"),
    ('\\mathbf{1}_{MN} = 0',
     "\\mathbf{1}_{...} takes one size letter or digit, found '{' at offset 11, near '\\mathbf{1}_{MN} = 0'"),
    ('\\mathbf{1}_{:} = 0',
     "\\mathbf{1}_{...} takes one size letter or digit, found '{' at offset 11, near '\\mathbf{1}_{:} = 0'"),
    ('\\sum_{k=1}^{12} z_{1k} = 0',
     "expected one index letter or digit, found '12' at offset 12, near '\\sum_{k=1}^{12} z_{1k} = 0'"),
    ('\\sum_{k=12}^{N} z_{1k} = 0',
     "expected one index letter or digit, found '12' at offset 8, near '\\sum_{k=12}^{N} z_{1k} = 0'"),
    ('\\hat{xy} = 0',
     "unsupported \\hat{xy}: only a single letter wears a hat at offset 0, near '\\hat{xy} = 0'"),
    ('\\mathbf{2} = 0',
     "unsupported \\mathbf{2}: only \\mathbf{1} at offset 0, near '\\mathbf{2} = 0'"),
    ('\\operatorname{e2} = 0',
     "unsupported operator name 'e2' at offset 0, near '\\operatorname{e2} = 0'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\vphantom{0} \\\\ \\vphantom{'
     '0} \\\\ \\vphantom{0} \\end{matrix} = 0',
     "the side label column has 3 rows but the matrix has 2, found 'matrix' at offse"
     "t 97, near 'antom{0} \\\\ \\vphantom{0} \\end{matrix} = 0'"),
    ('z_{11} = 0 \\quad z_{12}',
     "expected '=' after the expression at the end of the formula"),
    ('z_{11} = 0 , z_{12} = 1',
     "unexpected token, found ',' at offset 11, near 'z_{11} = 0 , z_{12} = 1'"),
    ('(z_{11} \\ne 1 ] = 0',
     "expected ')', found ']' at offset 14, near '(z_{11} \\ne 1 ] = 0'"),
    ('\\delta z = 0',
     "expected '_', found 'z' at offset 7, near '\\delta z = 0'"),
    ('z_{11} = 0 \\',
     "unsupported character '\\\\' at offset 11, near 'z_{11} = 0 \\'"),
    ('z_{11} = 0 \\%',
     "unsupported macro \\% at offset 11, near 'z_{11} = 0 \\%'"),
    ('\\begin{bmatrix} \\end{bmatrix} = 0',
     "a matrix with no cells, found '=' at offset 30, near 'n{bmatrix} \\end{bmatrix} = 0'"),
    ('\\begin{bmatrix} & \\\\ & \\end{bmatrix} = 0',
     "a matrix with no cells, found '=' at offset 37, near 'ix} & \\\\ & \\end{bmatrix} = 0'"),
    ('z_{11} + z_{12} + z_{13} = \\text{abc',
     "unbalanced '{' at offset 32, near '+ z_{12} + z_{13} = \\text{abc'"),
    ('(z_{11} \\text{=}) = 0',
     "\\text{...} is allowed only in row and column labels, found '=' at offset 8, near "
     "'(z_{11} \\text{=}) = 0'"),
    ('(z_{11}, \\text{=})',  # \text{=} is no '=', so this parenthesis holds an expression, not a condition
     "expected ')', found ',' at offset 7, near '(z_{11}, \\text{=})'"),
    ('z_{\\text{:}} = 0',
     "unsupported token in a subscript, found ':' at offset 3, near 'z_{\\text{:}} = 0'"),
    ('\\text{a} = 0',
     "\\text{...} is allowed only in row and column labels, found 'a' at offset 0, near '\\text{a} = 0'"),
    ('\\text x = z_{11} + z_{12} + z_{13} + z_{21}',
     "expected '{' at offset 6, near '\\text x = z_{11} + z_{12} + z_{1'"),
    ('z_{11} = 0 ~ + z_{12} + z_{13} + z_{21} + z_{22}',
     "unsupported character '~' at offset 11, near 'z_{11} = 0 ~ + z_{12} + z_{13} + z_{2'"),
    ('z_{11} = Z^',
     'a superscript is {\\mathsf T} or a positive integer power at the end of the formula'),
    ('\\sum_{k=1}^{\\sigma} z_{1k} = 0',
     "expected one index letter or digit, found 'sigma' at offset 12, near "
     "'\\sum_{k=1}^{\\sigma} z_{1k} = 0'"),
    ('z_{1,} = 0',
     "comma-separated subscripts need exactly one index per part, found '=' at offset 7, near 'z_{1,} = 0'"),
    ('z_{11} = ' + 'z_{12} + ' * 30 + '\\text',  # past 256 characters, where ints are no longer shared
     "expected '{' at offset 284, near '+ z_{12} + z_{12} + \\text'"),
    ('\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix} \\begin{matrix} \\leftarrow \\text{row} \\\\ \\vphantom{0} '
     '\\end{matrix} = 0',
     "a label needs exactly one index outside \\text (this one has none), found 'row' at offset 63, near "
     "'begin{matrix} \\leftarrow \\text{row} \\\\ \\vphantom{0} \\end{mat'"),
    ('\\begin{matrix} 1 \\end{matrix} = 0',
     "expected an expression, found 'matrix' at offset 0, near '\\begin{matrix} 1 \\end{matrix} = 0'"),
    ('z_{11} \\begin{aligned} = 0',
     "expected '=' after the expression, found 'aligned' at offset 7, near 'z_{11} \\begin{aligned} = 0'"),
    ('(z_{11} + 1',
     "expected ')' at the end of the formula"),
    ('\\begin{aligned} z_{11} &= 1 \\\\ & 2 \\end{aligned}',
     "each continued row of an aligned block must start with '&=', found '&' at offset 31, near '{aligned"
     "} z_{11} &= 1 \\\\ & 2 \\end{aligned}'"),
    ('\\sum_{\\odot=1}^{N} z_{11} = 0',
     "the summation variable must be a lowercase letter, found '\\\\odot' at offset 6, near '\\sum_{\\odo"
     "t=1}^{N} z_{11} = 0'"),
    ('\\begin{aligned} z_{11} &= 1 &= 1 \\end{aligned}',
     "expected '=', found '&' at offset 28, near 'gin{aligned} z_{11} &= 1 &= 1 \\end{aligned}'"),
    ('z_{11} \\text{(} = 0',
     "\\text{...} is allowed only in row and column labels, found '(' at offset 7, near "
     "'z_{11} \\text{(} = 0'"),
    ('z_{1\\sigma} = 0',
     "unsupported token in a subscript, found 'sigma' at offset 4, near 'z_{1\\sigma} = 0'"),
    ('z_{11} = 0 ~',
     "unsupported character '~' at offset 11, near 'z_{11} = 0 ~'"),
    ('\\underset{\\substack{\\uparrow \\\\ \\text{column } 1 2}}{\\begin{bmatrix} 1 & 2 \\end{bmatrix}} = 0',
     "a label needs exactly one index outside \\text (this one has 1, 2), found 'column"
     " ' at offset 32, near 'et{\\substack{\\uparrow \\\\ \\text{column } 1 2}}{\\begin{bm"
     "atrix} 1'"),
    ('z_{11} = \\text} + 1',
     "expected '{' at offset 14, near 'z_{11} = \\text} + 1'"),
    ('z_{11} = \\text{abc + z_{11} + z_{12} + z_{13} + z_{21}',  # the snippet ends 25 characters past the '{'
     "unbalanced '{' at offset 14, near 'z_{11} = \\text{abc + z_{11} + z_{12} + z'"),
    ('\\sum_{\\exp=1}^{N} z_{11} = 0',
     "the summation variable must be a lowercase letter, found 'exp' at offset 6, near '\\sum_{\\exp=1}^{N}"
     " z_{11} = 0'"),
    ('z_\\operatorname{f} = 0',
     "expected one index letter or digit, found 'f' at offset 2, near 'z_\\operatorname{f} = 0'"),
    ('z_{1\\text{,}1} = 0',
     "unsupported token in a subscript, found ',' at offset 4, near 'z_{1\\text{,}1} = 0'"),
    ('z_{1=1} = 0',
     "unsupported token in a subscript, found '=' at offset 4, near 'z_{1=1} = 0'"),
])
def test_a_formula_outside_the_grammar_is_rejected_where_it_leaves_it(tex: str, message: str) -> None:
    with pytest.raises(TexSyntaxError) as info:
        parse(tex, "unit")
    assert str(info.value) == f"step unit: {message}"


def side(tex: str) -> Node:
    return parse(f"{tex} = 0", "unit").clauses[0].sides[0]


@pytest.mark.parametrize("tex, same", [
    ("z_{11}^2", "z_{11}^{2}"),
    (r"\sum_{k=1}^N z_{1k}", r"\sum_{k=1}^{N} z_{1k}"),
    ("z_{1,1}", "z_{11}"),
    (r"Z^{\mathsf{T}}", r"Z^{\mathsf T}"),
    (r"\begin{bmatrix} 1 & 2 \\ \end{bmatrix}", r"\begin{bmatrix} 1 & 2 \end{bmatrix}"),
    (r"z_{11}\,z_{12}", "z_{11} z_{12}"),
    (r"\mathbb{1}[i = j]", "[i = j]"),
    (r"\mathbf{1}_M", r"\mathbf{1}_{M}"),
    (r"([i = j]) z_{11}", r"[i = j] z_{11}"),
    (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{matrix} \vphantom{\text{}} \\ \leftarrow \text{row } i"
     r"\end{matrix}",
     r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{matrix} \vphantom{0} \\ \leftarrow \text{row } i"
     r"\end{matrix}"),
])
def test_the_spellings_of_one_formula_parse_alike(tex: str, same: str) -> None:
    assert side(tex) == side(same)


def test_an_aligned_block_of_two_sides_is_one_equation() -> None:
    (chain,) = parse(r"\begin{aligned} z_{11} &= 1 \end{aligned}", "unit").clauses
    assert chain.sources == ("z_{11}", "1")
    assert parse(r"\begin{aligned} z_{11} = 1 \end{aligned}", "unit").clauses == (chain,)  # '&' is optional


def test_a_sum_keeps_the_sign_of_each_term() -> None:
    z11, z12 = Sub(Letter("z"), ("1", "1")), Sub(Letter("z"), ("1", "2"))
    assert side("z_{11} - z_{12} + 2") == Add(((1, z11), (-1, z12), (1, Num(2))))
    assert side("-z_{11}") == Add(((-1, z11),))
    assert side("z_{11}") == z11


def test_a_comma_may_end_a_clause_before_its_condition() -> None:
    chain, condition = parse(r"z_{11} = 0, \qquad (i \ne 1)", "unit").clauses
    assert isinstance(chain, Chain) and condition.source == r"(i \ne 1)"


@pytest.mark.parametrize("hidden", ["", "(", ")"])
def test_a_parenthesis_opens_a_condition_by_an_equals_sign_at_its_own_depth(hidden: str) -> None:
    (chain,) = parse("(z_{11}) = [1 = 1]", "unit").clauses  # the '=' in the bracket is after ')' closes
    assert isinstance(chain, Chain)
    labelled = (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix} \begin{matrix} \vphantom{\text{%s}} \\ \leftarrow "
                r"\text{row } i \end{matrix}" % hidden)
    (condition,) = parse(f"({labelled} = 0)", "unit").clauses  # \text{(} is no parenthesis, \text{} no brace
    assert not isinstance(condition, Chain) and condition.source == f"({labelled} = 0)"


def test_the_least_power_and_a_derivative_of_two_arguments_parse() -> None:
    assert side("z_{11}^{1}") == Power(Sub(Letter("z"), ("1", "1")), 1)
    assert side(r"\sigma'(z_{11}, 2)") == Apply("sigma'", (Sub(Letter("z"), ("1", "1")), Num(2)))
    assert side(r"\mathbf{1}_{2}") == Ones("2")


def test_a_side_label_column_as_tall_as_a_matrix_of_300_rows() -> None:
    rows = 300  # past 256, where ints are no longer shared
    tall = (r"\begin{bmatrix} %s \end{bmatrix} \begin{matrix} \leftarrow \text{row } i%s \end{matrix}"
            % (r" \\ ".join(["1"] * rows), r" \\ \vphantom{0}" * (rows - 1)))
    assert len(side(tall).rows) == rows


def test_a_row_label_says_row() -> None:
    labelled = (r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}"
                r"\begin{matrix} \leftarrow \text{line } i \\ \vphantom{0} \end{matrix}")
    with pytest.raises(TexMeaningError) as info:
        parse(f"{labelled} = 0", "unit")
    assert str(info.value) == "step unit: a row label must say one of ['row', '行'], says 'line'"


def test_forms_the_grammar_allows_that_no_page_uses() -> None:
    assert tokenize(r"\text {a}", "unit") == [Token("text", "a", 0, 9)]  # a space before the brace
    (chain,) = parse(r"(1 - z_{11}) z_{12} = 0", "unit").clauses  # a parenthesis that opens no condition
    assert isinstance(chain, Chain)
    assert value(r"\sum_{k=1}^N z_{1k}") == z[1, 1] + z[1, 2] + z[1, 3]
    assert value(r"Z^{\mathsf{T}}") == Z.T


F = sp.Function("f")
GENERIC = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Z", "z", "M", "N"),),
    forward=(Output("A", "a", lambda Z: Z.applyfunc(F)),),
    variables=("Z",),
    loss=Loss("L", of="A", gradient=Matrix("G", "g", "M", "N")),
    functions={"f": F},
    constants={"s": sp.Symbol("s", positive=True)},
)


def generic(tex: str, **env: int) -> bool:
    chain = parse(tex, "unit").clauses[0]
    assert isinstance(chain, Chain)
    ev = Evaluator(world(GENERIC, SIZES), env, "unit")
    first = ev.evaluate(chain.sides[0])
    return all(agree(ev.evaluate(side), first) for side in chain.sides[1:])


def test_an_undefined_function_keeps_its_derivative() -> None:
    """For every f: the chain rule through A = f(Z) leaves f' symbolic, and f' on the page is that."""
    assert generic(r"\frac{\partial L}{\partial z_{ij}} = g_{ij}\, f'(z_{ij})", i=2, j=3)
    assert not generic(r"\frac{\partial L}{\partial z_{ij}} = g_{ji}\, f'(z_{ij})", i=2, j=1)
    with pytest.raises(TexMeaningError, match="bare letter f"):  # only f' is a function application
        generic(r"\frac{\partial L}{\partial z_{ij}} = g_{ij}\, f(z_{ij})", i=2, j=3)
    assert generic(r"\frac{\partial a_{mn}}{\partial z_{ij}} = \delta_{mi}\, \delta_{nj}\, f'(z_{mn})",
                   m=1, n=2, i=1, j=2)
    assert generic(r"\frac{\partial L}{\partial Z} = G \odot f'(Z)")


def test_constants() -> None:
    s = sp.Symbol("s", positive=True)
    assert generic(r"s\, (z_{11} + s) = s\, z_{11} + s^{2}")
    ev = Evaluator(world(GENERIC, SIZES), {}, "unit")
    assert ev.evaluate(parse(r"s = s", "unit").clauses[0].sides[0]) == s
    with pytest.raises(ValueError, match="constants are single lowercase letters"):
        Setting(("M",), (Matrix("X", "x", "M", "M"),), (), (), constants={"x": s})


# ---------------------------------------------------------------------------- hats, powers, real symbols
# A prediction Ŷ (entries \hat{y}_{ij}) beside the target Y (y_{ij}), both real; L their squared distance.
HATS = Setting(
    sizes=("M", "N"),
    symbols=(Matrix("Ŷ", "ŷ", "M", "N", real=True), Matrix("Y", "y", "M", "N", real=True)),
    forward=(Output("L", None, lambda Ŷ, Y: sum((a - b) ** 2 for a, b in zip(Ŷ, Y, strict=True))),),
    variables=("Ŷ", "Y"),
)


def hat_value(tex: str, **env: int):
    return value(tex, at=world(HATS, (2, 3)), **env)


def test_a_hat_makes_a_letter_of_its_own() -> None:
    yhat, y = sp.Symbol("ŷ_1_2", real=True), sp.Symbol("y_1_2", real=True)
    assert hat_value(r"\hat{y}_{12}") == yhat and hat_value("y_{12}") == y
    assert hat_value(r"\hat{Y}").shape == (2, 3)
    assert agree(hat_value(r"\frac{\partial L}{\partial \hat{y}_{12}}"), 2 * (yhat - y))
    assert not same_formula(r"\hat{y}_{12}", "y_{12}", "unit")
    rejected(r"\hat{yy}_{12} = 0", r"\hat{yy}")
    # ŷ is one character beyond Latin-1, which CPython does not keep one copy of: compared by value.
    ellipsis = hat_value(r"\begin{bmatrix} \hat{y}_{11} & \cdots & \hat{y}_{13} \end{bmatrix}")
    assert ellipsis == hat_value(r"\begin{bmatrix} \hat{y}_{11} & \hat{y}_{12} & \hat{y}_{13} \end{bmatrix}")
    rejected(r"\hat{1} = 0", r"\hat{1}")


def test_whole_number_powers_of_scalars() -> None:
    z = sp.Symbol("z_2_3")
    assert value("z_{23}^{2}") == z**2 and value("z_{23}^2") == z**2
    assert agree(value(r"(z_{11} - z_{12})^{3}"), (sp.Symbol("z_1_1") - sp.Symbol("z_1_2")) ** 3)
    assert agree(value(r"Z^{\mathsf T}"), Z.T)
    with pytest.raises(TexMeaningError, match="only a scalar has a power"):
        value("Z^{2}")
    rejected("z_{11}^{n} = 0", "a superscript is")


def test_real_symbols_let_logarithms_simplify() -> None:
    """ln(sigma(z)) - ln(1 - sigma(z)) = z holds for real z only; a real declaration makes it checkable."""
    for real in (True, False):
        setting = Setting(sizes=("M",), symbols=(Matrix("z", "z", "M", "1", real=real),), forward=(),
                          variables=("z",), functions={"sigma": sigma})
        chain = parse(r"\ln(\sigma(z_{1})) - \ln(1 - \sigma(z_{1})) = z_{1}", "unit").clauses[0]
        ev = Evaluator(world(setting, (2,)), {}, "unit")
        assert agree(ev.evaluate(chain.sides[0]), ev.evaluate(chain.sides[1])) == real


# A chain of outputs, as on the two-layer network page: a matrix named with a subscript (W_1), an
# intermediate value Z_1 = X W_1, H = f(Z_1) for an undefined f, and a scalar output L = sum of h_mn^2.
CHAIN = Setting(
    sizes=("M", "D", "N"),
    symbols=(Matrix("X", "x", "M", "D"), Matrix("W_1", "u", "D", "N")),
    forward=(Output("Z_1", None, lambda X, W_1: X * W_1),
             Output("H", None, lambda Z_1: Z_1.applyfunc(F)),
             Output("L", None, lambda H: sp.Add(*(h**2 for h in H)))),
    variables=("X", "W_1"),
    functions={"f": F},
)
CHAIN_WORLD = world(CHAIN, (2, 3, 1))


def chain_value(tex: str):
    return value(tex, at=CHAIN_WORLD)


def test_a_subscripted_capital_names_a_declared_matrix() -> None:
    assert chain_value(r"W_{1}") == CHAIN_WORLD.values["W_1"]
    assert chain_value(r"X W_{1}").shape == (2, 1)
    with pytest.raises(TexMeaningError, match="bare letter W has no meaning"):
        chain_value(r"W_{2}")


def test_a_derivative_by_an_intermediate_value_follows_the_chain() -> None:
    """dL/dH = 2H; dL/dZ_1 = 2 f(Z_1) f'(Z_1), entry by entry; both of the intermediate value's shape."""
    H, Z1 = CHAIN_WORLD.values["H"], CHAIN_WORLD.values["Z_1"]
    assert agree(chain_value(r"\frac{\partial L}{\partial H}"), 2 * H)
    t = sp.Symbol("t")
    slope = Z1.applyfunc(lambda e: sp.Subs(sp.Derivative(F(t), t), t, e))
    assert agree(chain_value(r"\frac{\partial L}{\partial Z_{1}}"), (2 * H).multiply_elementwise(slope))
    # The chain rule through it gives the derivative by a variable.
    assert agree(chain_value(r"X^{\mathsf T} \frac{\partial L}{\partial Z_{1}}"),
                 chain_value(r"\frac{\partial L}{\partial W_{1}}"))
    assert not agree(chain_value(r"X^{\mathsf T} \frac{\partial L}{\partial H}"),
                     chain_value(r"\frac{\partial L}{\partial W_{1}}"))


def test_a_derivative_by_an_intermediate_value_keeps_it_real() -> None:
    """d|a|/da = sign(a) for real a only (SymPy leaves d re(a)/da unevaluated for a complex a), so the
    fresh symbols that stand for a real intermediate value are real too."""
    setting = Setting(sizes=("M",), symbols=(Matrix("Z", "z", "M", "1", real=True),),
                      forward=(Output("A", None, lambda Z: 2 * Z),
                               Output("L", None, lambda A: sp.Add(*(sp.Abs(a) for a in A)))),
                      variables=("Z",))
    at = world(setting, (2,))
    assert agree(value(r"\frac{\partial L}{\partial A}", at=at), at.values["A"].applyfunc(sp.sign))


def test_a_derivative_by_an_intermediate_value_needs_a_later_scalar() -> None:
    with pytest.raises(TexMeaningError, match="bare letter Z has no meaning"):
        chain_value(r"\frac{\partial L}{\partial Z_{12}}")
    with pytest.raises(TexMeaningError, match="bare letter W has no meaning"):
        chain_value(r"W_{12}")
    with pytest.raises(TexMeaningError, match="needs an output Z_1 computed from the output H"):
        chain_value(r"\frac{\partial Z_{1}}{\partial H}")
    with pytest.raises(TexMeaningError, match="needs an output H computed from the output H"):
        chain_value(r"\frac{\partial H}{\partial H}")
    with pytest.raises(TexMeaningError, match="can differentiate only a scalar by a whole matrix"):
        chain_value(r"\frac{\partial L}{\partial X W_{1}}")


# CPython keeps one object per int up to 256, so `is` passes for equal small ints and fails for equal
# larger ones. These sizes, indices and counts pass 256, and each value is made at run time.
def test_sizes_and_indices_past_256_compare_by_value() -> None:
    big, i = world(GENERIC, (300, 3)), int("300")
    Z300 = value("Z", at=big)
    assert value("[i = M]", at=big, i=i) == 1
    assert value(r"[i \ne M]", at=big, i=i) == 0
    assert value(r"\delta_{iM}", at=big, i=i) == 1
    column = r"\begin{bmatrix} z_{11} \\ \vdots \\ z_{M1} \end{bmatrix}"
    assert value(column, at=big) == Z300[:, 0]
    assert value(r"Z^{\mathsf T} " + column, at=big) == Z300.T * Z300[:, 0]
    assert value(r"\begin{bmatrix} z_{i1} & \cdots & z_{M3} \end{bmatrix}", at=big, i=i) == Z300[-1, :]
    # the label and the other side's size both put the last row at 300
    labelled = (r"\begin{bmatrix} 1 \\ \vdots \\ 1 \end{bmatrix} "
                r"\begin{matrix} \vphantom{0} \\ \vphantom{0} \\ \leftarrow \text{row } i \end{matrix}")
    assert value(labelled, (300, 1), at=big, i=i) == sp.ones(300, 1)


def test_a_matrix_of_300_lines_and_a_product_of_300_factors() -> None:
    ones = r" \\ ".join(["1"] * 300)
    assert value(r"\begin{bmatrix} %s \end{bmatrix}" % ones) == sp.ones(300, 1)
    assert value(r"\begin{bmatrix} %s \end{bmatrix}" % ones.replace(r"\\", "&")) == sp.ones(1, 300)
    with pytest.raises(TexMeaningError, match=r"the length of .* is not determined here"):
        value("z_{11} " * 299 + r"\mathbf{1}^{\mathsf T}")


def test_a_setting_of_300_labels_or_names() -> None:
    labelled = dataclasses.replace(GENERIC, labels=(Labels("y", "M", "N", lambda size: (1,) * size["M"]),))
    assert world(labelled, (300, 3)).labels["y"] == (1,) * 300
    many = tuple(Output(f"Q{k}", None, lambda Z: Z[0, 0]) for k in range(300))
    assert len(dataclasses.replace(GENERIC, forward=GENERIC.forward + many).forward) == 301
