"""Every differentiable op, two ways: a float64 central-difference gradient check, and value + gradient
parity with PyTorch (float64, 1e-10 relative) on the same random inputs, broadcasting included.

One table row per case: (id, fn(lib, *tensors), input shapes, input domain, torch_fn). ``fn`` is written
once against the shared API and called with ``lib = chainrule`` and ``lib = torch``; ``torch_fn`` is
given only where PyTorch spells the same computation differently.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import pytest
import torch
import torch.nn.functional as F  # noqa: N812 - the usual alias
from autograd_helpers import assert_parity, first, random_inputs

import chainrule as cr
from chainrule.autograd import activation as act
from chainrule.autograd import unary
from chainrule.autograd.linear import LinearFunction


class Case(NamedTuple):
    id: str
    fn: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domain: str = "real"
    torch_fn: Callable[..., Any] | None = None


MASK_2x3 = np.array([[True, False, True], [False, False, True]])
ROWS_3 = np.array([True, False, True])
COND_3x4 = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])


def idx(lib: Any, values: list[int]) -> Any:
    return lib.tensor(values)


CASES = [
    # -- arithmetic, with broadcasting and Python scalars -------------------------------------------
    Case("add", lambda lib, x, y: x + y, ((3, 4), (3, 4))),
    Case("add_broadcast_row", lambda lib, x, y: x + y, ((3, 4), (4,))),
    Case("add_broadcast_both", lambda lib, x, y: x + y, ((2, 1, 3), (4, 1))),
    Case("add_scalar", lambda lib, x: x + 2.5, ((3,),)),
    Case("radd_scalar", lambda lib, x: 2.5 + x, ((3,),)),
    Case("sub_broadcast", lambda lib, x, y: x - y, ((3, 4), (3, 1))),
    Case("rsub_scalar", lambda lib, x: 1.5 - x, ((2, 3),)),
    Case("mul_broadcast", lambda lib, x, y: x * y, ((2, 3), (2, 1, 3))),
    Case("mul_scalar", lambda lib, x: x * -1.5, ((4,),)),
    Case("rmul_int", lambda lib, x: 3 * x, ((4,),)),
    Case("div_broadcast", lambda lib, x, y: x / (y + 2), ((3, 4), (4,)), "positive"),
    Case("div_scalar", lambda lib, x: x / 4, ((3,),)),
    Case("rdiv_scalar", lambda lib, x: 2 / x, ((3,),), "positive"),
    Case("pow_2", lambda lib, x: x**2, ((3, 2),)),
    Case("pow_3", lambda lib, x: x**3, ((3, 2),)),
    Case("pow_half", lambda lib, x: x**0.5, ((3, 2),), "positive"),
    Case("pow_negative", lambda lib, x: x**-1.5, ((3, 2),), "positive"),
    Case("pow_zero", lambda lib, x: x**0, ((3,),)),
    Case("pow_function", lambda lib, x: lib.pow(x, 3), ((2, 2),)),
    Case("rpow_scalar", lambda lib, x: 2.0**x, ((3, 2),)),
    Case("rpow_fraction", lambda lib, x: 0.5**x, ((3,),)),
    Case("pow_tensor_tensor", lambda lib, x, y: x**y, ((3, 4), (4,)), "positive"),
    Case("neg", lambda lib, x: -x, ((2, 3),)),
    # -- matrix product in every form ---------------------------------------------------------------
    Case("matmul_1d_1d", lambda lib, x, y: x @ y, ((3,), (3,))),
    Case("matmul_2d_1d", lambda lib, x, y: x @ y, ((2, 3), (3,))),
    Case("matmul_1d_2d", lambda lib, x, y: x @ y, ((3,), (3, 4))),
    Case("matmul_2d_2d", lambda lib, x, y: x @ y, ((2, 3), (3, 4))),
    Case("matmul_3d_2d", lambda lib, x, y: x @ y, ((2, 2, 3), (3, 4))),
    Case("matmul_1d_3d", lambda lib, x, y: x @ y, ((3,), (2, 3, 4))),
    Case("matmul_3d_1d", lambda lib, x, y: x @ y, ((2, 3, 4), (4,))),
    Case("matmul_batch_broadcast", lambda lib, x, y: x @ y, ((2, 1, 2, 3), (3, 3, 2))),
    Case("matmul_function", lambda lib, x, y: lib.matmul(x, y), ((2, 3), (3, 2))),
    Case("mm", lambda lib, x, y: lib.mm(x, y), ((2, 3), (3, 2))),
    # -- element-wise functions ---------------------------------------------------------------------
    Case("exp", lambda lib, x: lib.exp(x), ((3, 4),)),
    Case("log", lambda lib, x: x.log(), ((3, 4),), "positive"),
    Case("sqrt", lambda lib, x: x.sqrt(), ((3, 4),), "positive"),
    Case("abs", lambda lib, x: x.abs(), ((3, 4),)),
    Case("sin", lambda lib, x: lib.sin(x), ((3, 4),)),
    Case("cos", lambda lib, x: x.cos(), ((3, 4),)),
    Case("tanh", lambda lib, x: x.tanh(), ((3, 4),)),
    Case("sigmoid", lambda lib, x: lib.sigmoid(x), ((3, 4),)),
    Case("relu", lambda lib, x: x.relu(), ((3, 4),)),
    Case("erf", lambda lib, x: lib.erf(x), ((3, 4),)),
    Case("square", lambda lib, x: lib.square(x), ((3,),)),
    # -- activations through their Function classes -------------------------------------------------
    Case("leaky_relu", lambda lib, x: act.LeakyReLUFunction.apply(x, negative_slope=0.1), ((3, 4),),
         torch_fn=lambda lib, x: F.leaky_relu(x, 0.1)),
    Case("elu", lambda lib, x: act.ELUFunction.apply(x, alpha=1.3), ((3, 4),),
         torch_fn=lambda lib, x: F.elu(x, 1.3)),
    Case("softplus", lambda lib, x: act.SoftplusFunction.apply(x, beta=2.0, threshold=1.5), ((4, 4),),
         torch_fn=lambda lib, x: F.softplus(x, beta=2.0, threshold=1.5)),
    Case("softplus_default", lambda lib, x: act.SoftplusFunction.apply(x), ((3, 4),),
         torch_fn=lambda lib, x: F.softplus(x)),
    Case("gelu", lambda lib, x: act.GELUFunction.apply(x), ((3, 4),), torch_fn=lambda lib, x: F.gelu(x)),
    Case("gelu_tanh", lambda lib, x: act.GELUFunction.apply(x, approximate="tanh"), ((3, 4),),
         torch_fn=lambda lib, x: F.gelu(x, approximate="tanh")),
    Case("logsigmoid", lambda lib, x: act.LogSigmoidFunction.apply(x), ((3, 4),),
         torch_fn=lambda lib, x: F.logsigmoid(x)),
    Case("sigmoid_class", lambda lib, x: act.SigmoidFunction.apply(x), ((3,),),
         torch_fn=lambda lib, x: torch.sigmoid(x)),
    Case("tanh_class", lambda lib, x: act.TanhFunction.apply(x), ((3,),),
         torch_fn=lambda lib, x: torch.tanh(x)),
    Case("relu_class", lambda lib, x: act.ReLUFunction.apply(x), ((3,),),
         torch_fn=lambda lib, x: torch.relu(x)),
    Case("erf_class", lambda lib, x: unary.Erf.apply(x), ((3,),), torch_fn=lambda lib, x: torch.erf(x)),
    # -- reductions ---------------------------------------------------------------------------------
    Case("sum_all", lambda lib, x: x.sum(), ((2, 3, 4),)),
    Case("sum_dim", lambda lib, x: x.sum(dim=1), ((2, 3, 4),)),
    Case("sum_negative_dim", lambda lib, x: lib.sum(x, dim=-1), ((2, 3, 4),)),
    Case("sum_tuple_keepdim", lambda lib, x: x.sum(dim=(0, 2), keepdim=True), ((2, 3, 4),)),
    Case("sum_tuple_negative", lambda lib, x: x.sum(dim=(-1, -3)), ((2, 3, 4),)),
    Case("mean_all", lambda lib, x: x.mean(), ((2, 3, 4),)),
    Case("mean_dim_keepdim", lambda lib, x: x.mean(dim=-2, keepdim=True), ((2, 3, 4),)),
    Case("mean_tuple", lambda lib, x: lib.mean(x, dim=(0, 1)), ((2, 3, 4),)),
    Case("var_all", lambda lib, x: x.var(), ((3, 4),)),
    Case("var_dim_biased", lambda lib, x: x.var(dim=1, unbiased=False, keepdim=True), ((3, 4),)),
    Case("var_correction", lambda lib, x: x.var(dim=(0, -1), correction=2), ((3, 2, 4),)),
    Case("std_all", lambda lib, x: x.std(), ((3, 4),)),
    Case("std_dim", lambda lib, x: lib.std(x, dim=0), ((3, 4),)),
    Case("std_tuple_keepdim", lambda lib, x: x.std(dim=(0, 2), keepdim=True), ((3, 2, 4),)),
    Case("max_all", lambda lib, x: x.max(), ((3, 4),)),
    Case("max_dim", lambda lib, x: x.max(dim=1), ((3, 4),)),
    Case("max_dim_keepdim_negative", lambda lib, x: x.max(dim=-1, keepdim=True), ((2, 3, 4),)),
    Case("max_function", lambda lib, x: lib.max(x, 0), ((3, 4),)),
    Case("min_all", lambda lib, x: lib.min(x), ((3, 4),)),
    Case("min_dim", lambda lib, x: x.min(0), ((3, 4),)),
    Case("min_dim_keepdim", lambda lib, x: x.min(dim=2, keepdim=True), ((2, 3, 4),)),
    Case("amax_all", lambda lib, x: x.amax(), ((3, 4),)),
    Case("amax_tuple", lambda lib, x: x.amax(dim=(0, -1)), ((2, 3, 4),)),
    Case("amax_keepdim", lambda lib, x: lib.amax(x, dim=1, keepdim=True), ((2, 3, 4),)),
    Case("amin_tuple_keepdim", lambda lib, x: x.amin(dim=(-1, 1), keepdim=True), ((2, 3, 4),)),
    Case("amin_dim", lambda lib, x: lib.amin(x, dim=0), ((3, 4),)),
    # -- shape ---------------------------------------------------------------------------------------
    Case("reshape", lambda lib, x: x.reshape(4, 6), ((2, 3, 4),)),
    Case("reshape_tuple_infer", lambda lib, x: x.reshape((3, -1)), ((2, 3, 4),)),
    Case("view", lambda lib, x: x.view(-1), ((2, 3, 4),)),
    Case("flatten", lambda lib, x: x.flatten(), ((2, 3, 4),)),
    Case("flatten_start", lambda lib, x: x.flatten(1), ((2, 3, 4),)),
    Case("flatten_range", lambda lib, x: lib.flatten(x, 0, 1), ((2, 3, 4),)),
    Case("transpose", lambda lib, x: x.transpose(0, 2), ((2, 3, 4),)),
    Case("transpose_negative", lambda lib, x: lib.transpose(x, -1, -2), ((2, 3, 4),)),
    Case("T_2d", lambda lib, x: x.T, ((2, 3),)),
    Case("T_3d", lambda lib, x: x.T, ((2, 3, 4),), torch_fn=lambda lib, x: x.permute(2, 1, 0)),
    Case("mT", lambda lib, x: x.mT, ((2, 3, 4),)),
    Case("permute", lambda lib, x: x.permute(1, 2, 0), ((2, 3, 4),)),
    Case("permute_negative", lambda lib, x: x.permute(-1, 0, 1), ((2, 3, 4),)),
    Case("unsqueeze", lambda lib, x: x.unsqueeze(0), ((2, 3),)),
    Case("unsqueeze_negative", lambda lib, x: lib.unsqueeze(x, -1), ((2, 3),)),
    Case("squeeze_all", lambda lib, x: x.squeeze(), ((1, 3, 1, 2),)),
    Case("squeeze_dim", lambda lib, x: x.squeeze(-2), ((1, 3, 1, 2),)),
    Case("squeeze_dim_not_one", lambda lib, x: x.squeeze(1), ((1, 3, 1, 2),)),
    Case("expand", lambda lib, x: x.expand(2, 3, 4), ((3, 1),)),
    Case("expand_minus_one", lambda lib, x: x.expand(-1, 4), ((3, 1),)),
    # -- indexing ------------------------------------------------------------------------------------
    Case("index_int", lambda lib, x: x[1], ((3, 4),)),
    Case("index_negative_ints", lambda lib, x: x[-1, 2], ((3, 4),)),
    Case("index_slice", lambda lib, x: x[1:3, ::2], ((4, 5),)),
    Case("index_int_slice", lambda lib, x: x[0, :, -1], ((2, 3, 4),)),
    Case("index_negative_step", lambda lib, x: x[::-1], ((4, 3),), torch_fn=lambda lib, x: x.flip(0)),
    Case("index_negative_step_2", lambda lib, x: x[::-2, 1:], ((5, 3),),
         torch_fn=lambda lib, x: x.flip(0)[::2, 1:]),
    Case("index_none_ellipsis", lambda lib, x: x[None, ..., 1], ((2, 3, 4),)),
    Case("index_ellipsis_none", lambda lib, x: x[..., None], ((2, 3),)),
    Case("index_int_ellipsis_slice", lambda lib, x: x[1, ..., ::2], ((2, 3, 4),)),
    Case("index_bool_mask", lambda lib, x: x[lib.tensor(MASK_2x3)], ((2, 3),)),
    Case("index_bool_rows", lambda lib, x: x[lib.tensor(ROWS_3)], ((3, 4),)),
    Case("index_int_array_repeats", lambda lib, x: x[idx(lib, [0, 2, 0, 0, 1])], ((3, 4),)),
    Case("index_list_repeats", lambda lib, x: x[[1, 1, 0]], ((3, 2),)),
    Case("index_slice_then_array", lambda lib, x: x[:, idx(lib, [0, 0, 2])], ((2, 3),)),
    Case("index_two_arrays_repeats", lambda lib, x: x[idx(lib, [1, 1, 0]), idx(lib, [2, 2, 0])], ((3, 4),)),
    # -- joining and choosing -----------------------------------------------------------------------
    Case("cat_dim0", lambda lib, x, y: lib.cat([x, y], dim=0), ((2, 3), (1, 3))),
    Case("cat_three_negative_dim", lambda lib, x, y, z: lib.cat([x, y, z], dim=-1), ((2, 1), (2, 3), (2, 2))),
    Case("stack_dim1", lambda lib, x, y: lib.stack([x, y], dim=1), ((2, 3), (2, 3))),
    Case("stack_negative_dim", lambda lib, x, y, z: lib.stack((x, y, z), dim=-1), ((2, 3), (2, 3), (2, 3))),
    Case("where", lambda lib, x, y: lib.where(lib.tensor(COND_3x4), x, y), ((3, 4), (4,))),
    Case("where_scalar_other", lambda lib, x: lib.where(lib.tensor(COND_3x4), x, 0.5), ((3, 4),)),
    Case("where_broadcast_condition", lambda lib, x, y: lib.where(lib.tensor(ROWS_3)[:, None], x, y),
         ((3, 4), (3, 4))),
    Case("clamp_both", lambda lib, x: x.clamp(-0.5, 0.7), ((4, 5),)),
    Case("clamp_min", lambda lib, x: lib.clamp(x, min=0.1), ((4, 5),)),
    Case("clamp_max", lambda lib, x: x.clamp(max=-0.2), ((4, 5),)),
    Case("clip", lambda lib, x: x.clip(-1.0, 1.0), ((4, 5),)),
    Case("clamp_tensor_bounds", lambda lib, x, lo, hi: lib.clamp(x, min=lo - 0.5, max=hi + 0.5),
         ((3, 4), (4,), (3, 1))),
    Case("clamp_tensor_min_only", lambda lib, x, lo: x.clamp(min=lo), ((3, 4), (3, 4))),
    Case("clamp_tensor_max_only", lambda lib, x, hi: lib.clamp(x, max=hi), ((3, 4), (4,))),
    Case("clamp_tensor_min_above_max", lambda lib, x, lo, hi: lib.clamp(x, min=hi + 0.5, max=lo - 0.5),
         ((3, 4), (4,), (3, 1))),
    Case("maximum", lambda lib, x, y: lib.maximum(x, y), ((3, 4), (4,))),
    Case("minimum", lambda lib, x, y: x.minimum(y), ((2, 1, 3), (4, 1))),
    Case("softmax_last", lambda lib, x: lib.softmax(x, dim=-1), ((3, 4),)),
    Case("softmax_first", lambda lib, x: x.softmax(0), ((3, 4),)),
    Case("softmax_3d", lambda lib, x: x.softmax(dim=1), ((2, 3, 2),)),
    Case("log_softmax", lambda lib, x: lib.log_softmax(x, dim=1), ((3, 4),)),
    Case("log_softmax_negative", lambda lib, x: x.log_softmax(dim=-3), ((2, 3, 2),)),
    Case("logsumexp", lambda lib, x: x.logsumexp(dim=1), ((3, 4),)),
    Case("logsumexp_tuple_keepdim", lambda lib, x: lib.logsumexp(x, dim=(0, 2), keepdim=True), ((2, 3, 2),)),
    Case("logsumexp_negative", lambda lib, x: x.logsumexp(-1), ((2, 3, 2),)),
    # -- 0-d tensors (NumPy turns 0-d results into scalars; the engine must keep them arrays) ----------
    Case("add_0d", lambda lib, x, y: x + y, ((), ())),
    Case("mul_0d_broadcast", lambda lib, x, y: x * y, ((), (3,))),
    Case("scalar_ops_0d", lambda lib, x: (2 * x.tanh()) ** 3 + 1.5 ** x - x / 3, ((),)),
    Case("exp_log_0d", lambda lib, x: x.exp().log().sin(), ((),)),
    Case("sum_mean_0d", lambda lib, x: x.sum() + x.mean() + x.amax(), ((),)),
    Case("stack_0d", lambda lib, x, y: lib.stack([x, y]), ((), ())),
    Case("index_to_0d", lambda lib, x: x[1, 2] * x[0, 0], ((2, 3),)),
    # -- the fused Linear op (x @ W^T + b) ----------------------------------------------------------
    Case("linear", lambda lib, x, w, b: LinearFunction.apply(x, w, b), ((4, 3), (2, 3), (2,)),
         torch_fn=lambda lib, x, w, b: F.linear(x, w, b)),
    Case("linear_no_bias", lambda lib, x, w: LinearFunction.apply(x, w), ((4, 3), (2, 3)),
         torch_fn=lambda lib, x, w: F.linear(x, w)),
    Case("linear_batched", lambda lib, x, w, b: LinearFunction.apply(x, w, b), ((2, 3, 3), (2, 3), (2,)),
         torch_fn=lambda lib, x, w, b: F.linear(x, w, b)),
    Case("linear_vector", lambda lib, x, w, b: LinearFunction.apply(x, w, b), ((3,), (2, 3), (2,)),
         torch_fn=lambda lib, x, w, b: F.linear(x, w, b)),
]


def test_case_ids_are_unique() -> None:
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_gradcheck(case: Case) -> None:
    """Backward agrees with central differences (float64)."""
    arrays = random_inputs(case.shapes, case.domain, seed=len(case.id))
    inputs = [cr.tensor(a, dtype=cr.float64, requires_grad=True) for a in arrays]
    assert cr.autograd.gradcheck(lambda *ts: first(case.fn(cr, *ts)), inputs)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_parity_with_torch(case: Case) -> None:
    """Forward values and every input's gradient equal PyTorch's (float64, 1e-10 relative)."""
    arrays = random_inputs(case.shapes, case.domain, seed=len(case.id) + 1)
    assert_parity(case.fn, arrays, case.torch_fn)


def _node_dtypes_stay_float32(out: cr.Tensor) -> None:
    """Every tensor in the graph is float32, and every op's backward, fed a float32 gradient, returns
    float32 gradients: no silent float64 upcast anywhere, forward or backward."""
    from chainrule.autograd.engine import topological_order

    for node in topological_order(out):
        assert node.dtype == cr.float32, f"{node.grad_fn!r} produced {node.dtype}"
        if node.grad_fn is not None:
            grads = node.grad_fn.backward(np.ones(node.shape, dtype=np.float32))
            for grad in grads if isinstance(grads, tuple) else (grads,):
                assert grad is None or grad.dtype == np.float32, f"{node.grad_fn!r}.backward gave {grad.dtype}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_float32_stays_float32(case: Case) -> None:
    """In float32 every value and every gradient stays float32 (Python scalars do not upcast), and the
    numbers agree with PyTorch's float32 ones to float32 accuracy."""
    arrays = [a.astype(np.float32) for a in random_inputs(case.shapes, case.domain, seed=len(case.id) + 2)]
    ours = [cr.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = first(case.fn(cr, *ours))
    reference = first((case.torch_fn or case.fn)(torch, *theirs))
    _node_dtypes_stay_float32(out)
    upstream = np.random.default_rng(0).standard_normal(out.shape).astype(np.float32)
    out.backward(cr.tensor(upstream))
    reference.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.detach().numpy(), reference.detach().numpy(), rtol=1e-4, atol=1e-5)
    for mine, ref in zip(ours, theirs, strict=True):
        assert mine.grad is not None and ref.grad is not None
        assert mine.grad.dtype == cr.float32
        np.testing.assert_allclose(mine.grad.numpy(), ref.grad.numpy(), rtol=1e-4, atol=1e-4)
