"""Property-based tests: random expression graphs (random ops on random broadcastable shapes, nodes
reused by later ops) give the same values and the same gradient for every leaf as PyTorch.

A program is a list of leaf shapes and a list of steps; each step applies one op to nodes picked from
everything computed so far (leaves included), so graphs have shared sub-expressions, diamonds and
tensors used twice in one op. Every shape is a "sub-shape" of one base shape (each dim either the
base size or 1, leading dims optional), so any two nodes broadcast together and every op applies.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812 - the usual alias
from hypothesis import given, settings
from hypothesis import strategies as st

import chainrule as cr
from chainrule.autograd import activation as act


def _is_cr(lib: Any) -> bool:
    return lib is cr


def _dim(x: Any, k: int) -> int:
    return k % x.ndim


def _matrix(lib: Any, n: int) -> Any:
    values = np.random.default_rng(n).standard_normal((n, n))
    return lib.tensor(values, dtype=lib.float64)


def _rev_last(lib: Any, x: Any) -> Any:
    # PyTorch has no negative slice steps; flip is the same reversal.
    return x[..., ::-1] if _is_cr(lib) else x.flip(-1)


def _softplus(lib: Any, x: Any) -> Any:
    return act.SoftplusFunction.apply(x, beta=1.5) if _is_cr(lib) else F.softplus(x, beta=1.5)


def _gelu(lib: Any, x: Any) -> Any:
    return act.GELUFunction.apply(x, approximate="tanh") if _is_cr(lib) else F.gelu(x, approximate="tanh")


def _leaky(lib: Any, x: Any) -> Any:
    return act.LeakyReLUFunction.apply(x, negative_slope=0.2) if _is_cr(lib) else F.leaky_relu(x, 0.2)


def _stack_mean(lib: Any, a: Any, b: Any) -> Any:
    shape = np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    return lib.stack([a.expand(shape), b.expand(shape)], dim=0).mean(0)


def _cat_fold(lib: Any, a: Any, b: Any) -> Any:
    shape = tuple(np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    if not shape:
        return a + b
    joined = lib.cat([a.expand(shape), b.expand(shape)], dim=-1)
    return joined.reshape(*shape[:-1], 2, shape[-1]).sum(-2)


def _matmul(lib: Any, a: Any) -> Any:
    if a.ndim == 0:
        return a * 2.0
    return (a.unsqueeze(-2) @ _matrix(lib, a.shape[-1])).squeeze(-2)


UNARY = {
    "sin": lambda lib, x, k: x.sin(), "cos": lambda lib, x, k: lib.cos(x), "tanh": lambda lib, x, k: x.tanh(),
    "sigmoid": lambda lib, x, k: x.sigmoid(), "relu": lambda lib, x, k: x.relu(), "abs": lambda lib, x, k: x.abs(),
    "neg": lambda lib, x, k: -x, "erf": lambda lib, x, k: lib.erf(x),
    "exp_tanh": lambda lib, x, k: x.tanh().exp(), "log1p_square": lambda lib, x, k: (x * x + 1).log(),
    "sqrt_shifted": lambda lib, x, k: (x * x + 0.5).sqrt(), "cube_bounded": lambda lib, x, k: (2 * x.tanh()) ** 3,
    "scalar_arith": lambda lib, x, k: (1.5 - x) / 2 + 0.25 * x,
    "rpow": lambda lib, x, k: 1.7 ** x.tanh(),
    "clamp": lambda lib, x, k: x.clamp(-0.5, 0.8),
    "softplus": lambda lib, x, k: _softplus(lib, x), "gelu": lambda lib, x, k: _gelu(lib, x),
    "leaky_relu": lambda lib, x, k: _leaky(lib, x), "rev_last": lambda lib, x, k: _rev_last(lib, x) if x.ndim else x,
    "matmul": lambda lib, x, k: _matmul(lib, x),
    "softmax": lambda lib, x, k: x.softmax(_dim(x, k)) if x.ndim else x,
    "log_softmax": lambda lib, x, k: x.log_softmax(_dim(x, k)) if x.ndim else x,
    "sum_keepdim": lambda lib, x, k: x.sum(dim=_dim(x, k), keepdim=True) if x.ndim else x.sum(),
    "mean_keepdim": lambda lib, x, k: x.mean(dim=_dim(x, k), keepdim=True) if x.ndim else x.mean(),
    "amax_keepdim": lambda lib, x, k: x.amax(dim=_dim(x, k), keepdim=True) if x.ndim else x.amax(),
    "logsumexp_keepdim": lambda lib, x, k: x.logsumexp(dim=_dim(x, k), keepdim=True) if x.ndim else x,
    "max_dim_keepdim": lambda lib, x, k: x.max(dim=_dim(x, k), keepdim=True)[0] if x.ndim else x.max(),
}
BINARY = {
    "add": lambda lib, a, b: a + b, "sub": lambda lib, a, b: a - b, "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / (b * b + 1), "maximum": lambda lib, a, b: lib.maximum(a, b),
    "minimum": lambda lib, a, b: a.minimum(b), "pow": lambda lib, a, b: (a * a + 1) ** b.tanh(),
    "where": lambda lib, a, b: lib.where(a > b, a, b * 0.5), "stack_mean": _stack_mean, "cat_fold": _cat_fold,
    "clamp_tensor": lambda lib, a, b: a.clamp(min=b - 0.3, max=b + 0.3),
}
OPS = sorted(UNARY) + sorted(BINARY)


Step = tuple[str, int, int, int]  # (op name, first operand, second operand, dim choice)
Program = tuple[list[tuple[int, ...]], list[Step], int]  # (leaf shapes, steps, seed of the leaf values)


@st.composite
def programs(draw: Any) -> Program:
    ndim = draw(st.integers(0, 3))
    base = [draw(st.integers(1, 3)) for _ in range(ndim)]
    leaf_shapes = []
    for _ in range(draw(st.integers(1, 3))):
        kept = base[draw(st.integers(0, ndim)):]
        leaf_shapes.append(tuple(1 if draw(st.booleans()) else size for size in kept))
    step = st.tuples(st.sampled_from(OPS), st.integers(0, 99), st.integers(0, 99), st.integers(0, 99))
    steps = draw(st.lists(step, min_size=1, max_size=8))
    return leaf_shapes, steps, draw(st.integers(0, 2**16))


def run_program(lib: Any, leaves: list[Any], steps: list[Step]) -> list[Any]:
    """Apply the steps; every node computed (leaves first) is kept and may be used again later."""
    pool = list(leaves)
    for name, i, j, k in steps:
        a, b = pool[i % len(pool)], pool[j % len(pool)]
        pool.append(UNARY[name](lib, a, k) if name in UNARY else BINARY[name](lib, a, b))
    return pool


def _close(ours: np.ndarray, theirs: np.ndarray, what: str) -> None:
    # 1e-10 relative; the absolute floor scales with the magnitudes so that sums which cancel to
    # nearly zero (rounding ~1e-16 of their terms) are not judged relative to that tiny result.
    scale = max(1.0, float(np.max(np.abs(theirs), initial=0.0)))
    np.testing.assert_allclose(ours, theirs, rtol=1e-10, atol=1e-12 * scale, err_msg=what)


@settings(max_examples=60, deadline=None, database=None)
@given(programs())
def test_random_expressions_match_torch(program: Program) -> None:
    leaf_shapes, steps, seed = program
    rng = np.random.default_rng(seed)
    values = [rng.standard_normal(shape) for shape in leaf_shapes]
    ours = [cr.tensor(v, dtype=cr.float64, requires_grad=True) for v in values]
    theirs = [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in values]
    our_pool, their_pool = run_program(cr, ours, steps), run_program(torch, theirs, steps)
    weights = rng.standard_normal(len(our_pool))
    for n, (a, b) in enumerate(zip(our_pool, their_pool, strict=True)):
        assert a.shape == tuple(b.shape), f"node {n}: shape {a.shape} vs torch {tuple(b.shape)}"
        _close(a.detach().numpy(), b.detach().numpy(), f"value of node {n}")
    # Every node feeds the loss (with its own weight), so every path's gradient is exercised.
    our_loss = sum(float(w) * node.sum() for w, node in zip(weights, our_pool, strict=True))
    their_loss = sum(float(w) * node.sum() for w, node in zip(weights, their_pool, strict=True))
    our_loss.backward()  # type: ignore[union-attr]
    their_loss.backward()  # type: ignore[union-attr]
    for n, (a, b) in enumerate(zip(ours, theirs, strict=True)):
        assert a.grad is not None and b.grad is not None
        _close(a.grad.numpy(), b.grad.numpy(), f"gradient of leaf {n}")


@settings(max_examples=40, deadline=None, database=None)
@given(programs())
def test_random_expressions_pass_gradcheck(program: Program) -> None:
    """The same random graphs against central differences, independent of PyTorch."""
    leaf_shapes, steps, seed = program
    # Kinks (relu, abs, clamp, max, where) are measure-zero for random inputs but finite differences
    # straddle them when an input lands within eps; keep the few ops without kinks here.
    smooth = [s for s in steps if s[0] not in KINKED]
    if not smooth:
        smooth = [("tanh", 0, 0, 0)]
    rng = np.random.default_rng(seed)
    leaves = [cr.tensor(rng.standard_normal(shape), dtype=cr.float64, requires_grad=True) for shape in leaf_shapes]

    def loss(*inputs: cr.Tensor) -> cr.Tensor:
        pool = run_program(cr, list(inputs), smooth)
        return sum(node.sum() * (n + 1) for n, node in enumerate(pool))  # type: ignore[return-value]

    assert cr.autograd.gradcheck(loss, leaves)


KINKED = {"relu", "abs", "clamp", "leaky_relu", "amax_keepdim", "max_dim_keepdim", "maximum", "minimum", "where",
          "clamp_tensor"}
