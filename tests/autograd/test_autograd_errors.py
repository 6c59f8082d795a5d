"""Errors that teach: each names the operation, the shapes or dtypes involved, and what is allowed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import chainrule as cr

A = cr.ones(2, 3)
B = cr.ones(4)
F64 = cr.ones(3, 2, dtype=cr.float64)

CASES: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("add", lambda: A + B, RuntimeError, r"add: shapes \(2, 3\) and \(4,\) cannot be broadcast"),
    ("sub", lambda: A - B, RuntimeError, r"sub: shapes \(2, 3\) and \(4,\)"),
    ("mul", lambda: B * A, RuntimeError, r"mul: shapes \(4,\) and \(2, 3\)"),
    ("div", lambda: A / B, RuntimeError, r"div: shapes \(2, 3\) and \(4,\)"),
    ("pow", lambda: A**B, RuntimeError, r"pow: shapes \(2, 3\) and \(4,\)"),
    ("rsub_array", lambda: [1.0, 2.0] - A, RuntimeError, r"sub: shapes \(2,\) and \(2, 3\)"),
    ("maximum", lambda: cr.maximum(A, B), RuntimeError, r"maximum: shapes \(2, 3\) and \(4,\)"),
    ("where", lambda: cr.where(A > 0, A, B), RuntimeError,
     r"where: condition \(2, 3\), input \(2, 3\) and other \(4,\)"),
    ("clamp_tensor", lambda: A.clamp(min=B), RuntimeError, r"clamp: .*\(2, 3\), \(4,\)"),
    ("matmul_dtype", lambda: A @ F64, RuntimeError,
     r"matmul: both operands must have the same dtype, got float32 and float64"),
    ("matmul_inner", lambda: A @ A, RuntimeError,
     r"matmul: shapes \(2, 3\) and \(2, 3\) cannot be multiplied: the last dim of the first \(3\) must equal "
     r"the second-to-last dim of the second \(2\)"),
    ("matmul_vector", lambda: A @ B, RuntimeError, r"the last dim of the first \(3\) must equal the only dim"),
    ("matmul_batch", lambda: cr.ones(2, 2, 3) @ cr.ones(3, 3, 4), RuntimeError,
     r"matmul: the batch dims of shapes \(2, 2, 3\) and \(3, 3, 4\) cannot be broadcast"),
    ("matmul_scalar", lambda: cr.tensor(2.0) @ A, RuntimeError, r"matmul: both operands need at least one dim"),
    ("reshape", lambda: A.reshape(4, 2), RuntimeError,
     r"reshape: shape \(4, 2\) is invalid for a tensor of shape \(2, 3\) \(6 elements\)"),
    ("view", lambda: A.view(5, -1), RuntimeError, r"shape \(5, -1\) is invalid for a tensor of shape \(2, 3\)"),
    ("expand", lambda: A.expand(2, 4), RuntimeError, r"expand: cannot expand shape \(2, 3\) to \(2, 4\)"),
    ("expand_new_dim_minus_one", lambda: A.expand(-1, 2, 3), RuntimeError, r"expand: .*-1.*new"),
    ("permute", lambda: A.permute(0, 0), RuntimeError,
     r"permute: \(0, 0\) is not a permutation of the 2 dims of shape \(2, 3\)"),
    ("t_3d", lambda: cr.ones(1, 2, 3).t(), RuntimeError,
     r"t\(\) expects a tensor with <= 2 dimensions, got shape \(1, 2, 3\)"),
    ("cat_shapes", lambda: cr.cat([A, cr.ones(2, 4)], dim=0), RuntimeError,
     r"cat: tensor 1 has shape \(2, 4\) but tensor 0 has shape \(2, 3\); all dims except dim 0 must match"),
    ("cat_not_a_list", lambda: cr.cat(A), TypeError, r"cat expects a non-empty list or tuple of tensors"),
    ("stack_shapes", lambda: cr.stack([A, cr.ones(3, 2)]), RuntimeError,
     r"stack: tensor 1 has shape \(3, 2\).*equal shapes"),
    ("stack_dim", lambda: cr.stack([A, A], dim=4), IndexError, r"stack: dim 4 out of range"),
    ("index", lambda: A[5], IndexError, r"indexing a tensor of shape \(2, 3\): index 5 is out of bounds"),
    ("sum_dim", lambda: A.sum(dim=2), IndexError,
     r"dim 2 is out of range for a tensor with 2 dimensions \(valid: -2 to 1\)"),
    ("softmax_dim", lambda: A.softmax(dim=-3), IndexError, r"dim -3 is out of range"),
    ("unsqueeze_dim", lambda: A.unsqueeze(4), IndexError,
     r"unsqueeze: dim 4 out of range for shape \(2, 3\) \(valid: -3 to 2\)"),
    ("clamp_nothing", lambda: A.clamp(), ValueError, r"clamp: at least one of min and max"),
    ("item", lambda: A.item(), RuntimeError, r"a tensor with 6 elements \(shape \(2, 3\)\) cannot be converted"),
    ("index_float", lambda: [1, 2, 3][cr.tensor(1.0)], TypeError,
     r"only integer tensors can be used as an index, not float32"),
    ("numpy_requires_grad", lambda: cr.ones(2, requires_grad=True).numpy(), RuntimeError, r"detach\(\)\.numpy\(\)"),
    ("create_graph_unsupported_op", lambda: (cr.ones(2, requires_grad=True) * 2).cumsum(0).sum().backward(
        create_graph=True), NotImplementedError, r"double backward is not implemented for CumSum.*Ops that have one"),
    ("requires_grad_false_non_leaf", lambda: (cr.ones(1, requires_grad=True) * 2).requires_grad_(False), RuntimeError,
     r"leaf tensors only.*detach"),
    ("gelu_approximate", lambda: __import__("chainrule.autograd.activation", fromlist=["GELUFunction"])
     .GELUFunction.apply(A, approximate="sigmoid"), ValueError,
     r"GELU: approximate must be 'none' or 'tanh', got 'sigmoid'"),
]


@pytest.mark.parametrize(("name", "action", "error", "message"), CASES, ids=[c[0] for c in CASES])
def test_error_messages(name: str, action: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        action()
