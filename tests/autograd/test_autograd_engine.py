"""How the engine behaves: grad modes, detach, retain_graph, non-scalar backward, deep graphs, reused
nodes, gradient storage, in-place rules, and the small conveniences of Tensor."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import Function


def leaf(values: list[float] | float, dtype: np.dtype = cr.float64) -> cr.Tensor:
    return cr.tensor(values, dtype=dtype, requires_grad=True)


# -- grad modes ----------------------------------------------------------------------------------------
def test_no_grad_context_records_nothing() -> None:
    x = leaf([1.0, 2.0])
    with cr.no_grad():
        y = (x * 3).exp().sum()
        assert not cr.is_grad_enabled()
    assert cr.is_grad_enabled()
    assert y.requires_grad is False
    assert y.grad_fn is None
    np.testing.assert_allclose(y.item(), np.exp(3.0) + np.exp(6.0))


def test_no_grad_decorator_with_and_without_parentheses() -> None:
    x = leaf([1.0, 2.0])

    @cr.no_grad()
    def called(t: cr.Tensor) -> cr.Tensor:
        assert not cr.is_grad_enabled()
        return t * 2

    @cr.no_grad
    def bare(t: cr.Tensor) -> cr.Tensor:
        return t * 2

    for fn in (called, bare):
        out = fn(x)
        assert out.requires_grad is False and out.grad_fn is None
        assert cr.is_grad_enabled()
    assert called.__name__ == "called"


def test_no_grad_restores_mode_after_an_exception() -> None:
    with pytest.raises(ValueError), cr.no_grad():
        raise ValueError("boom")
    assert cr.is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = leaf(1.5)
    with cr.no_grad():
        with cr.enable_grad():
            y = x * x
        z = x * x
    assert y.requires_grad and y.grad_fn is not None
    assert not z.requires_grad
    y.backward()
    assert x.grad is not None and x.grad.item() == 3.0


def test_set_grad_enabled_as_function_and_context() -> None:
    x = leaf(1.0)
    with cr.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert cr.is_grad_enabled()
    cr.set_grad_enabled(False)
    try:
        assert not cr.is_grad_enabled()
        assert not (x * 2).requires_grad
    finally:
        cr.set_grad_enabled(True)
    assert (x * 2).requires_grad


def test_set_grad_enabled_as_decorator_does_not_switch_at_definition() -> None:
    @cr.set_grad_enabled(False)
    def inference(t: cr.Tensor) -> cr.Tensor:
        return t * 2

    assert cr.is_grad_enabled()
    assert not inference(leaf(1.0)).requires_grad
    assert cr.is_grad_enabled()


# -- detach and requires_grad_ ---------------------------------------------------------------------------
def test_detach_cuts_the_graph_and_shares_memory() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    d = y.detach()
    assert not d.requires_grad and d.grad_fn is None
    z = (d * x).sum()
    z.backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 4.0])  # d is a constant: dz/dx = d
    assert np.shares_memory(d.numpy(), y.detach().numpy())


def test_requires_grad_on_integer_tensor_is_refused() -> None:
    t = cr.tensor([1, 2, 3])
    assert t.dtype == cr.int64
    with pytest.raises(RuntimeError, match="floating-point"):
        t.requires_grad_()
    with pytest.raises(RuntimeError, match="floating-point"):
        cr.tensor([1, 2], requires_grad=True)


def test_requires_grad_toggle_on_leaf() -> None:
    t = cr.tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    (t * t).sum().backward()
    assert t.grad is not None
    t.requires_grad_(False)
    assert not (t * t).requires_grad


def test_integer_results_never_require_grad() -> None:
    """Casting to an integer dtype ends the graph, as in PyTorch."""
    x = leaf([1.7, -2.2])
    assert not x.long().requires_grad
    assert not x.to(cr.int32).requires_grad
    assert not (x > 0).requires_grad
    assert not x.argmax().requires_grad


# -- retain_graph ---------------------------------------------------------------------------------------
def test_second_backward_without_retain_graph_is_a_clear_error() -> None:
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time.*retain_graph=True"):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates() -> None:
    x = leaf([1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward(retain_graph=True)
    assert x.grad is not None
    first = x.grad.numpy().copy()
    np.testing.assert_allclose(first, np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])), rtol=1e-15)
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-15)


def test_backward_through_a_freed_shared_subgraph_is_an_error() -> None:
    x = leaf([1.0, 2.0])
    hidden = x.exp()
    hidden.sum().backward()
    with pytest.raises(RuntimeError, match="second time"):
        (hidden * 2).sum().backward()


# -- backward(gradient) -----------------------------------------------------------------------------------
def test_backward_of_non_scalar_needs_gradient_and_says_how() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    with pytest.raises(RuntimeError, match=r"scalar outputs.*shape \(3,\).*backward\(cr.ones_like"):
        y.backward()
    y.backward(cr.tensor([1.0, 0.5, -1.0], dtype=cr.float64))
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, 2.0, -6.0])


def test_backward_gradient_of_wrong_shape_is_refused() -> None:
    y = leaf([1.0, 2.0]) * 2
    with pytest.raises(RuntimeError, match=r"gradient has shape \(3,\).*\(2,\)"):
        y.backward(cr.ones(3, dtype=cr.float64))


def test_backward_accepts_arrays_and_lists_as_gradient() -> None:
    x = leaf([1.0, 2.0])
    (x * 3).backward(np.array([1.0, 2.0]))
    (x * 3).backward([1.0, 1.0])
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [6.0, 9.0])


def test_backward_on_tensor_without_grad_explains() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.tensor(1.0).backward()


def test_backward_of_a_leaf_itself() -> None:
    x = leaf(3.0)
    x.backward()
    assert x.grad is not None and x.grad.item() == 1.0


def test_backward_inputs_restricts_accumulation() -> None:
    x, y = leaf(2.0), leaf(3.0)
    (x * y).backward(inputs=[x])
    assert x.grad is not None and x.grad.item() == 3.0
    assert y.grad is None


# -- graph shapes -----------------------------------------------------------------------------------------
def test_deep_chain_backprops_without_recursion_error() -> None:
    x = leaf(1.0)
    y = x
    for _ in range(10_000):
        y = y * 1.0001
    y.backward()
    assert x.grad is not None
    np.testing.assert_allclose(x.grad.item(), 1.0001**10_000, rtol=1e-9)
    del y  # freeing the 10,000-node graph must not recurse either


def test_reused_node_gets_the_sum_of_both_paths() -> None:
    """a is used twice: dL/da = dL/da|path1 + dL/da|path2 (the multivariate chain rule)."""
    x = leaf(3.0)
    a = x * 2
    a.retain_grad()
    out = a * a + a.sin()
    out.backward()
    assert a.grad is not None
    assert a.grad.item() == pytest.approx(2 * 6.0 + np.cos(6.0), rel=1e-15)
    assert x.grad is not None
    assert x.grad.item() == pytest.approx(2 * (2 * 6.0 + np.cos(6.0)), rel=1e-15)


def test_same_tensor_as_both_operands() -> None:
    x = leaf([1.0, -2.0])
    (x * x).sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [2.0, -4.0])
    x.grad = None
    (x + x + x).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_diamond_graph_matches_torch() -> None:
    values = np.array([0.3, -1.2, 2.0])

    def build(lib, t):  # type: ignore[no-untyped-def]
        a = t.exp()
        b = a * t
        c = a.sin() + b
        return (c * a + b.tanh()).sum()

    ours = cr.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    build(cr, ours).backward()
    build(torch, theirs).backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_allclose(ours.grad.numpy(), theirs.grad.numpy(), rtol=1e-12)


def test_branch_that_does_not_require_grad_gets_no_grad() -> None:
    x = leaf([1.0, 2.0])
    c = cr.tensor([3.0, 4.0], dtype=cr.float64)
    (x * c).sum().backward()
    assert c.grad is None
    assert x.grad is not None


def test_non_leaf_grad_is_none_unless_retained() -> None:
    x = leaf([1.0, 2.0])
    y = x * 2
    (y * y).sum().backward()
    assert y.grad is None
    assert not y.is_leaf and x.is_leaf


def test_retain_grad_on_tensor_without_grad_is_refused() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.tensor([1.0]).retain_grad()


# -- gradient storage ---------------------------------------------------------------------------------------
def test_grads_of_two_leaves_never_alias() -> None:
    """Add hands one gradient array to both inputs; each .grad must still be its own array."""
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad is not None and b.grad is not None
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    a.grad.numpy()[...] = 100.0
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 1.0])


def test_grads_are_writable_and_not_views_of_graph_values() -> None:
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = leaf([1.0, 2.0])
    seed = cr.tensor([[1.0, 1.0], [1.0, 1.0]], dtype=cr.float64)
    (x.reshape(4).reshape(2, 2) + y).backward(seed)
    for t in (x, y):
        assert t.grad is not None
        assert t.grad.numpy().flags.writeable
        t.grad.numpy()[...] = 0  # must not raise (no read-only broadcast views)
    assert not np.shares_memory(x.grad.numpy(), seed.numpy())


def test_grad_is_a_tensor_with_the_leaf_shape_and_dtype() -> None:
    x = cr.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    (x * 2).sum().backward()
    assert isinstance(x.grad, cr.Tensor)
    assert x.grad.shape == (1, 3) and x.grad.dtype == cr.float32
    assert not x.grad.requires_grad


# -- in-place updates ----------------------------------------------------------------------------------------
def test_inplace_on_requires_grad_is_refused_with_grad_mode_on() -> None:
    w = leaf([1.0, 2.0])
    for update in (lambda: w.add_(1.0), lambda: w.mul_(2.0), lambda: w.sub_(1.0), lambda: w.zero_(),
                   lambda: w.fill_(3.0), lambda: w.copy_(cr.tensor([0.0, 0.0])),
                   lambda: w.uniform_(), lambda: w.normal_()):
        with pytest.raises(RuntimeError, match="no_grad"):
            update()
    with pytest.raises(RuntimeError, match="no_grad"):
        w += 1
    with pytest.raises(RuntimeError, match="no_grad"):
        w[0] = 5.0
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, 2.0])


def test_inplace_on_requires_grad_allowed_under_no_grad() -> None:
    w = leaf([1.0, 2.0])
    grad = cr.tensor([0.5, 0.5], dtype=cr.float64)
    with cr.no_grad():
        w -= 0.1 * grad
        w.add_(grad, alpha=2.0)
        w.mul_(2.0)
        w[0] = 7.0
    np.testing.assert_allclose(w.detach().numpy(), [7.0, (2.0 - 0.05 + 1.0) * 2])
    assert w.requires_grad and w.is_leaf


def test_inplace_keeps_float32_storage() -> None:
    w = cr.zeros(3)
    with cr.no_grad():
        w.add_(np.ones(3, dtype=np.float64))
        w += 0.5
    assert w.dtype == cr.float32
    np.testing.assert_array_equal(w.numpy(), [1.5, 1.5, 1.5])


def test_inplace_on_plain_tensor_works_in_grad_mode() -> None:
    t = cr.zeros(2)
    t.add_(1.0).mul_(3.0)
    t[1] = 0.5
    np.testing.assert_array_equal(t.numpy(), [3.0, 0.5])


# -- custom Function -----------------------------------------------------------------------------------------
class Cube(Function):
    """out = x^3;  dL/dx = 3 g x^2 (a user-written op, to check the extension point)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return x**3

    def backward(self, grad: np.ndarray) -> np.ndarray:
        (x,) = self.saved
        return 3 * grad * x * x


def test_custom_function_extends_the_engine() -> None:
    x = leaf([1.0, -2.0])
    y = Cube.apply(x)
    assert repr(y.grad_fn) == "<CubeBackward>"
    y.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 12.0])
    assert cr.autograd.gradcheck(Cube.apply, (leaf([0.3, 1.1]),))


class WrongShape(Function):
    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.sum(keepdims=True)

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return np.ones(5)


def test_backward_returning_a_wrong_shape_names_the_op_and_shapes() -> None:
    x = leaf([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"WrongShape.*\(5,\).*\(2,\)"):
        WrongShape.apply(x).sum().backward()


class ProductWithGradients(Function):
    """out = a * b, with a backward that returns ``count`` gradients (2 is right, others are the bugs)."""

    def forward(self, a: np.ndarray, b: np.ndarray, count: int = 2) -> np.ndarray:
        self.save_for_backward(a, b, count)
        return a * b

    def backward(self, grad: np.ndarray) -> tuple[np.ndarray, ...]:
        a, b, count = self.saved
        return (grad * b, grad * a, grad)[:count]


@pytest.mark.parametrize("count", [1, 3])
def test_backward_returning_the_wrong_number_of_gradients_names_op_and_counts(count: int) -> None:
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    message = rf"ProductWithGradients.backward returned {count} gradient\(s\) for its 2 input\(s\)"
    with pytest.raises(RuntimeError, match=message):
        ProductWithGradients.apply(a, b, count=count).sum().backward()


def test_backward_returning_one_gradient_per_input_is_accepted() -> None:
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    ProductWithGradients.apply(a, b).sum().backward()
    assert a.grad is not None and b.grad is not None
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 4.0])
    np.testing.assert_array_equal(b.grad.numpy(), [1.0, 2.0])


# -- gradcheck itself ------------------------------------------------------------------------------------------
class BadSquare(Function):
    def forward(self, x: np.ndarray) -> np.ndarray:
        self.save_for_backward(x)
        return x * x

    def backward(self, grad: np.ndarray) -> np.ndarray:
        return grad * self.saved[0]  # wrong: should be 2 x


def test_gradcheck_catches_a_wrong_backward_and_says_where() -> None:
    x = leaf([1.0, 2.0])
    message = r"output 0 with respect to input 0.*analytical 2, numerical 4"
    with pytest.raises(cr.autograd.GradcheckError, match=message):
        cr.autograd.gradcheck(BadSquare.apply, (x,))
    assert cr.autograd.gradcheck(BadSquare.apply, (x,), raise_exception=False) is False


def test_gradcheck_refuses_float32_and_inputs_without_grad() -> None:
    with pytest.raises(ValueError, match="float64"):
        cr.autograd.gradcheck(lambda t: t * 2, (cr.ones(2, requires_grad=True),))
    with pytest.raises(ValueError, match="nothing to check"):
        cr.autograd.gradcheck(lambda t: t * 2, (cr.ones(2, dtype=cr.float64),))


def test_gradcheck_works_on_non_contiguous_inputs() -> None:
    base = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    x = cr.from_numpy(base.T).requires_grad_()  # a transposed (non-contiguous) view
    assert cr.autograd.gradcheck(lambda t: (t * t).sum(dim=0), (x,))
    np.testing.assert_array_equal(x.detach().numpy(), base.T)  # inputs are restored afterwards


def test_gradcheck_with_a_constant_input_and_tuple_output() -> None:
    x, c = leaf([0.5, 1.5]), cr.tensor([2.0, 3.0], dtype=cr.float64)
    assert cr.autograd.gradcheck(lambda a, b: (a * b, a.exp()), (x, c))


# -- conveniences ------------------------------------------------------------------------------------------------
def test_repr_matches_torch_style() -> None:
    assert repr(cr.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"
    assert repr(cr.tensor(24.0)) == "tensor(24.)"
    assert repr(cr.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(cr.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(cr.tensor([1.0], dtype=cr.float64)) == "tensor([1.], dtype=chainrule.float64)"
    y = cr.tensor([1.0], requires_grad=True) * 2
    assert repr(y) == "tensor([2.], grad_fn=<MulBackward>)"


def test_item_tolist_numpy() -> None:
    t = cr.tensor([[1.5, 2.0]])
    assert t.tolist() == [[1.5, 2.0]]
    assert t[0, 1].item() == 2.0 and isinstance(t[0, 1].item(), float)
    assert isinstance(cr.tensor([3])[0].item(), int)
    assert np.shares_memory(t.numpy(), t.data)
    with pytest.raises(RuntimeError, match="2 elements"):
        t.item()
    with pytest.raises(RuntimeError, match=r"detach\(\).numpy\(\)"):
        leaf([1.0]).numpy()
    assert float(cr.tensor([2.5])) == 2.5
    assert int(cr.tensor(7)) == 7


def test_comparisons_give_bool_tensors_without_grad() -> None:
    x = leaf([1.0, 2.0, 3.0])
    y = cr.tensor([3.0, 2.0, 1.0], dtype=cr.float64)
    for result, expected in ((x < y, [True, False, False]), (x <= y, [True, True, False]),
                             (x > 2, [False, False, True]), (x >= 2, [False, True, True]),
                             (x == y, [False, True, False]), (x != y, [True, False, True])):
        assert result.dtype == cr.bool
        assert not result.requires_grad and result.grad_fn is None
        assert result.tolist() == expected
    mask = (x > 1) & (x < 3)
    assert mask.tolist() == [False, True, False]
    assert (~mask).tolist() == [True, False, True]
    assert ((x > 2) | (x < 2)).tolist() == [True, False, True]


def test_iteration_and_len() -> None:
    t = cr.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert len(t) == 2
    assert [row.tolist() for row in t] == [[1.0, 2.0], [3.0, 4.0]]
    with pytest.raises(TypeError, match="0-d"):
        len(cr.tensor(1.0))


def test_bool_of_multi_element_tensor_is_ambiguous() -> None:
    assert bool(cr.tensor([1.0]))
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(cr.tensor([1.0, 2.0]))


def test_max_with_dim_returns_values_and_indices() -> None:
    t = cr.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]], requires_grad=True)
    values, indices = t.max(dim=1)
    assert values.tolist() == [5.0, 7.0]
    assert indices.tolist() == [1, 0] and indices.dtype == cr.int64
    result = t.min(1, keepdim=True)
    assert result.values.shape == (2, 1) and result.indices.tolist() == [[0], [1]]



def _assert_same_gradient(values: np.ndarray, fn: Any, name: str) -> None:
    """d sum(fn(x)) / dx from chainrule equals torch's, exactly (ties and kinks included)."""
    ours = cr.tensor(values, requires_grad=True)
    theirs = torch.tensor(values, requires_grad=True)
    fn(ours).sum().backward()
    fn(theirs).sum().backward()
    assert ours.grad is not None and theirs.grad is not None
    np.testing.assert_array_equal(ours.grad.numpy(), theirs.grad.numpy(), err_msg=name)

def test_max_ties_follow_torch() -> None:
    """Full reductions share the gradient equally among tied maxima; max(dim) sends it to one index."""
    values = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]])
    for name, fn in (("max_all", lambda t: t.max()), ("amax_dim", lambda t: t.amax(dim=1)),
                     ("amin_all", lambda t: t.amin()), ("max_dim", lambda t: t.max(dim=1)[0]),
                     ("min_dim", lambda t: t.min(dim=0)[0]), ("maximum_self", lambda t: t.maximum(t * 1))):
        _assert_same_gradient(values, fn, name)


def test_relu_abs_clamp_at_their_kinks_follow_torch() -> None:
    values = np.array([-1.0, 0.0, 0.5, 1.0, 2.0])
    for name, fn in (("relu", lambda t: t.relu()), ("abs", lambda t: t.abs()),
                     ("clamp", lambda t: t.clamp(0.0, 1.0)), ("clip_min", lambda t: t.clamp(min=0.5)),
                     ("square_at_zero", lambda t: t**2), ("pow_3_at_zero", lambda t: t**3)):
        _assert_same_gradient(values, fn, name)


def test_clamp_with_tensor_bounds_at_ties_follows_torch() -> None:
    """x equal to a tensor bound: the gradient goes to x (bounds are inclusive), not half-and-half."""
    x_values = np.array([0.0, 1.0, -1.0, 2.0, 0.5])
    low_values = np.zeros(5)
    high_values = np.array([1.0, 1.0, 1.0, 1.0, 0.25])
    ours = [cr.tensor(v, requires_grad=True) for v in (x_values, low_values, high_values)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x_values, low_values, high_values)]
    cr.clamp(ours[0], min=ours[1], max=ours[2]).sum().backward()
    torch.clamp(theirs[0], min=theirs[1], max=theirs[2]).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        assert a.grad is not None and b.grad is not None
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_pow_edge_cases_follow_torch() -> None:
    """0 ** 0, 0 ** y and x ** 0 with tensor exponents: PyTorch's conventions, no NaN where it has none."""
    base = np.array([0.0, 0.0, 0.0, 2.0, 1.5])
    exponent = np.array([0.0, 2.0, 0.5, 0.0, 3.0])
    ours = [cr.tensor(v, requires_grad=True) for v in (base, exponent)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (base, exponent)]
    (ours[0] ** ours[1]).sum().backward()
    (theirs[0] ** theirs[1]).sum().backward()
    for a, b in zip(ours, theirs, strict=True):
        assert a.grad is not None and b.grad is not None
        np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


def test_softmax_family_is_stable_at_huge_logits() -> None:
    logits = cr.tensor([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]], dtype=cr.float64, requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        p = logits.softmax(dim=1)
        lp = logits.log_softmax(dim=1)
        lse = logits.logsumexp(dim=1)
        (p.sum() + lp.sum() + lse.sum()).backward()
    np.testing.assert_allclose(p.detach().numpy()[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(lse.detach().numpy(), [1e4, -1e4 + np.log(3)])
    assert np.isfinite(lp.detach().numpy()).all()
    assert logits.grad is not None and np.isfinite(logits.grad.numpy()).all()


def test_sigmoid_family_is_stable_at_huge_inputs() -> None:
    from chainrule.autograd import activation as act

    x = cr.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=cr.float32, requires_grad=True)
    with np.errstate(over="raise", divide="raise", invalid="raise"):  # underflow to 0 is fine
        s = x.sigmoid()
        ls = act.LogSigmoidFunction.apply(x)
        sp = act.SoftplusFunction.apply(x)
        (s.sum() + ls.sum() + sp.sum()).backward()
    np.testing.assert_allclose(s.detach().numpy(), [0.0, 0.0, 0.5, 1.0, 1.0], atol=1e-20)
    np.testing.assert_allclose(ls.detach().numpy()[[0, 4]], [-1e4, 0.0])
    assert x.grad is not None and np.isfinite(x.grad.numpy()).all()


def test_writing_a_grad_tensor_in_place_is_refused_not_silently_dropped() -> None:
    x = leaf([1.0, 2.0])
    out = cr.zeros(2, dtype=cr.float64)
    with pytest.raises(RuntimeError, match="gradient would be lost"):
        out[0] = x[0] * 2
    with pytest.raises(RuntimeError, match="gradient would be lost"):
        out.copy_(x)
    with pytest.raises(RuntimeError, match="gradient would be lost"):
        out.add_(x, alpha=2.0)
    with cr.no_grad():
        out[0] = x[0] * 2  # allowed: nothing is being recorded
    assert out.tolist() == [2.0, 0.0]


def test_augmented_assignment_with_a_grad_tensor_stays_in_the_graph() -> None:
    """total += loss (loss requires grad, total does not) records total + loss, as PyTorch does."""
    x = leaf([1.0, 2.0])
    total = cr.zeros(2, dtype=cr.float64)
    total += x * x
    total *= x
    assert total.requires_grad
    total.sum().backward()
    assert x.grad is not None
    np.testing.assert_array_equal(x.grad.numpy(), 3 * np.array([1.0, 2.0]) ** 2)  # d(x^3)/dx


def test_backward_inputs_may_name_a_non_leaf() -> None:
    x = leaf(2.0)
    hidden = x * 3
    (hidden * hidden).backward(inputs=[hidden])
    assert hidden.grad is not None and hidden.grad.item() == 12.0
    assert x.grad is None


def test_empty_dim_tuple_reduces_everything_like_torch() -> None:
    values = np.arange(6.0).reshape(2, 3)
    for name in ("sum", "mean", "amax", "amin"):
        ours = getattr(cr.tensor(values), name)(dim=())
        theirs = getattr(torch.tensor(values), name)(dim=())
        assert ours.shape == tuple(theirs.shape), name
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())


def test_zero_dim_results_keep_their_dtype() -> None:
    """NumPy turns 0-d results into scalars; a 0-d float64 tensor must stay float64 through any op."""
    x = cr.tensor(0.3, dtype=cr.float64, requires_grad=True)
    y = (2 * x.tanh()) ** 3 + 1.5**x - x.exp() / 3
    assert y.dtype == cr.float64 and isinstance(y.data, np.ndarray)
    y.backward()
    assert x.grad is not None and x.grad.dtype == cr.float64
