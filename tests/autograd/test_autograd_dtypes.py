"""dtypes (defaults, promotion, casts), tensor creation and the seeded random source, against PyTorch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import dtypes

TORCH_DTYPES = {cr.float32: torch.float32, cr.float64: torch.float64, cr.int64: torch.int64,
                cr.int32: torch.int32, cr.bool: torch.bool, cr.float16: torch.float16}


@pytest.fixture
def default_float64() -> Iterator[None]:
    cr.set_default_dtype(cr.float64)
    try:
        yield
    finally:
        cr.set_default_dtype(cr.float32)


# -- defaults -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("data", [1.0, 1, True, [1, 2.5], [[1, 2], [3, 4]], [True, False], np.arange(3, dtype=np.int32),
                                  np.ones(2, dtype=np.float64), np.ones(2, dtype=np.float32), np.float64(1.5),
                                  np.int32(3), np.float32(2.0)], ids=repr)
def test_tensor_default_dtype_matches_torch(data: Any) -> None:
    assert TORCH_DTYPES[cr.tensor(data).dtype] == torch.tensor(data).dtype


def test_tensor_dtype_argument_and_names() -> None:
    assert cr.tensor([1, 2], dtype=cr.float64).dtype == np.float64
    assert cr.tensor([1.5], dtype="float64").dtype == np.float64
    assert cr.tensor([1.5], dtype=np.float32).dtype == np.float32
    assert cr.tensor([1.7], dtype=cr.int64).tolist() == [1]
    with pytest.raises(TypeError, match="unknown dtype name 'float33'; valid names: .*float32"):
        cr.tensor([1.0], dtype="float33")


def test_tensor_copies_its_data_but_from_numpy_shares() -> None:
    array = np.zeros(3, dtype=np.float32)
    copied, shared = cr.tensor(array), cr.from_numpy(array)
    array[0] = 5.0
    assert copied.tolist() == [0.0, 0.0, 0.0]
    assert shared.tolist() == [5.0, 0.0, 0.0]


def test_bad_data_is_a_clear_error() -> None:
    with pytest.raises(TypeError, match="cannot make a tensor"):
        cr.tensor([[1.0, 2.0], [3.0]])
    with pytest.raises(TypeError, match="expected numbers"):
        cr.tensor(["a", "b"])


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, 3), lambda lib: lib.ones((2, 3)), lambda lib: lib.randn(2), lambda lib: lib.rand(2),
    lambda lib: lib.empty(2), lambda lib: lib.full((2,), 1.5), lambda lib: lib.full((2,), 3),
    lambda lib: lib.full((2,), True), lambda lib: lib.arange(5), lambda lib: lib.arange(0, 1, 0.25),
    lambda lib: lib.arange(1.0, 4.0), lambda lib: lib.eye(3), lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.zeros_like(lib.tensor([1, 2])), lambda lib: lib.ones_like(lib.tensor([1.0], dtype=lib.float64)),
    lambda lib: lib.full_like(lib.tensor([1, 2]), 7), lambda lib: lib.randint(0, 5, (3,)),
    lambda lib: lib.randperm(4), lambda lib: lib.randn_like(lib.zeros(2, dtype=lib.float64)),
    lambda lib: lib.zeros(2, dtype=lib.float64), lambda lib: lib.ones(2, dtype=lib.int64),
], ids=lambda f: "")
def test_creation_shapes_and_dtypes_match_torch(make: Any) -> None:
    ours, theirs = make(cr), make(torch)
    assert ours.shape == tuple(theirs.shape)
    assert TORCH_DTYPES[ours.dtype] == theirs.dtype


def test_creation_values() -> None:
    np.testing.assert_array_equal(cr.arange(0, 1, 0.25).numpy(), [0, 0.25, 0.5, 0.75])
    np.testing.assert_array_equal(cr.eye(2).numpy(), [[1, 0], [0, 1]])
    np.testing.assert_allclose(cr.linspace(0, 1, 5).numpy(), [0, 0.25, 0.5, 0.75, 1])
    assert cr.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert cr.zeros(2, requires_grad=True).requires_grad
    with pytest.raises(ValueError, match="non-negative integers"):
        cr.zeros(2, -1)


def test_set_default_dtype_changes_python_floats_only(default_float64: None) -> None:
    assert cr.get_default_dtype() == cr.float64
    assert cr.tensor(1.0).dtype == cr.float64 and cr.zeros(2).dtype == cr.float64
    assert cr.tensor(1).dtype == cr.int64
    assert (cr.arange(3) * 0.5).dtype == cr.float64
    with pytest.raises(TypeError, match="floating"):
        cr.set_default_dtype(cr.int64)


# -- promotion --------------------------------------------------------------------------------------------
OPERANDS: dict[str, Any] = {
    "f32": lambda lib: lib.ones(3), "f64": lambda lib: lib.ones(3, dtype=lib.float64),
    "i64": lambda lib: lib.arange(1, 4), "i32": lambda lib: lib.arange(1, 4).int(),
    "bool": lambda lib: lib.tensor([True, False, True]),
    "f32_0d": lambda lib: lib.tensor(2.0), "f64_0d": lambda lib: lib.tensor(2.0, dtype=lib.float64),
    "i64_0d": lambda lib: lib.tensor(2), "float": lambda lib: 2.5, "int": lambda lib: 2, "true": lambda lib: True,
}
SCALARS = ("float", "int", "true")
OPS = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "sub": lambda a, b: a - b,
       "div": lambda a, b: a / b, "maximum": lambda a, b: a.maximum(b)}
PROMOTION_CASES = [
    (a, b, op) for op in OPS for a in OPERANDS for b in OPERANDS
    if not (a in SCALARS and b in SCALARS)
    and not (op == "sub" and ({a, b} & {"bool", "true"}))  # PyTorch has no - for bools
    and not (op == "maximum" and ({a, b} & set(SCALARS)))  # torch.maximum takes two tensors
]


@pytest.mark.filterwarnings("ignore:divide by zero", "ignore:invalid value")  # x / False, as in NumPy
@pytest.mark.parametrize(("left", "right", "op"), PROMOTION_CASES,
                         ids=[f"{op}-{a}-{b}" for a, b, op in PROMOTION_CASES])
def test_type_promotion_matches_torch(left: str, right: str, op: str) -> None:
    ours = OPS[op](OPERANDS[left](cr), OPERANDS[right](cr))
    theirs = OPS[op](OPERANDS[left](torch), OPERANDS[right](torch))
    assert TORCH_DTYPES[ours.dtype] == theirs.dtype
    np.testing.assert_allclose(ours.numpy().astype(np.float64), theirs.numpy().astype(np.float64), rtol=1e-6)


def test_float32_and_float64_promote_with_gradients_in_each_dtype() -> None:
    values = np.array([0.5, -1.25, 2.0])
    x32 = cr.tensor(values, dtype=cr.float32, requires_grad=True)
    y64 = cr.tensor(values, dtype=cr.float64, requires_grad=True)
    tx, ty = torch.tensor(values, dtype=torch.float32, requires_grad=True), torch.tensor(values, requires_grad=True)
    out, ref = (x32 * y64 + x32.exp()).sum(), (tx * ty + tx.exp()).sum()
    assert out.dtype == cr.float64
    out.backward()
    ref.backward()
    assert x32.grad is not None and y64.grad is not None and tx.grad is not None and ty.grad is not None
    assert x32.grad.dtype == cr.float32 and y64.grad.dtype == cr.float64
    np.testing.assert_allclose(x32.grad.numpy(), tx.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(y64.grad.numpy(), ty.grad.numpy(), rtol=1e-12)


def test_python_scalars_never_upcast_float32() -> None:
    x = cr.ones(3, requires_grad=True)
    out = ((x * 2.5 + 1) / 3.0 - 0.5) ** 2 + 2.0**x + x.clamp(0.1, 0.9) + cr.where(x > 0, x, 0.0)
    assert out.dtype == cr.float32
    out.sum().backward()
    assert x.grad is not None and x.grad.dtype == cr.float32


def test_integer_tensors_with_floats_and_true_division() -> None:
    i = cr.arange(1, 4)
    assert (i / 2).dtype == cr.float32 and (i / i).dtype == cr.float32 and (2 / i).dtype == cr.float32
    assert (i * 2.5).dtype == cr.float32 and (i**0.5).dtype == cr.float32 and (2.5**i).dtype == cr.float32
    assert (i**2).dtype == cr.int64 and (2**i).dtype == cr.int64
    np.testing.assert_allclose((2.5**i).numpy(), [2.5, 6.25, 15.625])
    np.testing.assert_allclose((i**0.5).numpy(), np.sqrt([1, 2, 3]), rtol=1e-6)
    assert (i + True).dtype == cr.int64 and i.mean().dtype == cr.float32


def test_cat_stack_where_promote_like_torch() -> None:
    for fn in (lambda lib: lib.cat([lib.ones(2), lib.ones(2, dtype=lib.float64)]),
               lambda lib: lib.cat([lib.ones(2), lib.arange(2)]),
               lambda lib: lib.stack([lib.tensor(1.0), lib.tensor(2.0, dtype=lib.float64)]),
               lambda lib: lib.where(lib.tensor([True, False]), lib.ones(2), lib.tensor(2.0, dtype=lib.float64)),
               lambda lib: lib.where(lib.tensor([True, False]), lib.arange(2), 0.5),
               lambda lib: lib.clamp(lib.arange(3), min=0.5)):
        ours, theirs = fn(cr), fn(torch)
        assert TORCH_DTYPES[ours.dtype] == theirs.dtype
        np.testing.assert_allclose(ours.numpy(), theirs.numpy().astype(np.float64))


# -- casts -------------------------------------------------------------------------------------------------
def test_cast_is_differentiable_and_grads_keep_each_dtype() -> None:
    values = np.array([0.1, 0.7, -2.0])
    x = cr.tensor(values, dtype=cr.float64, requires_grad=True)
    tx = torch.tensor(values, requires_grad=True)
    out = (x.float() * 3).double() * x
    ref = (tx.float() * 3).double() * tx
    assert out.dtype == cr.float64
    np.testing.assert_allclose(out.detach().numpy(), ref.detach().numpy(), rtol=1e-15)
    out.sum().backward()
    ref.sum().backward()
    assert x.grad is not None and tx.grad is not None and x.grad.dtype == cr.float64
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-15)


def test_cast_spellings() -> None:
    x = cr.tensor([1.5, -2.5], requires_grad=True)
    for cast in (x.double(), x.to(cr.float64), x.to("float64"), x.to(dtype=cr.float64), x.type(cr.float64),
                 x.to(cr.zeros(1, dtype=cr.float64)), x.to("cpu", cr.float64)):
        assert cast.dtype == cr.float64 and cast.requires_grad
    assert x.float() is x and x.to("cpu") is x and x.type() == "chainrule.float32"
    assert x.long().tolist() == [1, -2] and x.int().dtype == cr.int32 and x.bool().tolist() == [True, True]
    with pytest.raises(RuntimeError, match=r"no CUDA device was found.*pip install 'chainrule\[cuda12\]'"):
        x.to("cuda")


# -- randomness --------------------------------------------------------------------------------------------
def test_manual_seed_makes_draws_reproducible() -> None:
    def draws() -> list[np.ndarray]:
        return [cr.randn(3, 4).numpy(), cr.rand(5).numpy(), cr.randint(0, 10, (4,)).numpy(), cr.randperm(6).numpy(),
                cr.zeros(3).uniform_(-1, 1).numpy(), cr.zeros(3).normal_(0, 2).numpy()]

    cr.manual_seed(123)
    first = draws()
    cr.manual_seed(123)
    second = draws()
    cr.manual_seed(124)
    third = draws()
    for a, b, c in zip(first, second, third, strict=True):
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, c) or a.size <= 1
    assert cr.initial_seed() == 124
    assert first[0].dtype == np.float32 and ((first[1] >= 0) & (first[1] < 1)).all()


def test_rng_state_round_trip_and_generators() -> None:
    cr.manual_seed(7)
    state = cr.get_rng_state()
    a = cr.randn(4).numpy()
    cr.set_rng_state(state)
    np.testing.assert_array_equal(cr.randn(4).numpy(), a)
    np.testing.assert_array_equal(cr.randn(3, generator=np.random.default_rng(5)).numpy(),
                                  cr.randn(3, generator=np.random.default_rng(5)).numpy())
    with pytest.raises(TypeError, match="integer"):
        cr.manual_seed(1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="non-negative"):
        cr.manual_seed(-1)


def test_resolve_accepts_every_spelling() -> None:
    for spelling in (cr.float32, np.float32, "float32", "float", cr.float):
        assert dtypes.resolve(spelling) == np.float32
    with pytest.raises(TypeError, match="not a dtype"):
        dtypes.resolve(object())


def test_numpy_scalars_act_like_python_numbers() -> None:
    """np.float64(2.0) would upcast a float32 array in NumPy; in PyTorch (and here) it is just a number."""
    x = cr.ones(3, requires_grad=True)
    outs = [x * np.float64(2.0), np.float64(2.0) * x, x + np.int64(1), x ** np.float64(2.5), np.float64(2.0) ** x,
            x.clamp(np.float64(0.1), np.float64(0.5)), x / np.float32(4.0)]
    for out in outs:
        assert out.dtype == cr.float32
    sum(o.sum() for o in outs).backward()  # type: ignore[union-attr]
    assert x.grad is not None and x.grad.dtype == cr.float32
