"""Activation modules and their functional forms: values and gradients against PyTorch (float64),
gradcheck, dtype handling, Softmax's dim rule, and Step's refusal to backpropagate."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from nn_helpers import assert_close, assert_module_parity, both_tensors

import chainrule as cr
import chainrule.nn.functional as F
from chainrule import nn
from chainrule.autograd import gradcheck

PAIRS = [
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)),
    (nn.ELU(), torch.nn.ELU()),
    (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=1.0), torch.nn.Softplus(beta=2.0, threshold=1.0)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.Softmax(dim=-1), torch.nn.Softmax(dim=-1)),
    (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    (nn.LogSoftmax(dim=0), torch.nn.LogSoftmax(dim=0)),
    (nn.Identity(), torch.nn.Identity()),
]
IDS = [repr(pair[0]) for pair in PAIRS]


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_activation_matches_torch(ours: nn.Module, theirs: torch.nn.Module) -> None:
    assert_module_parity(ours, theirs, (6, 5), seed=2)
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize(("ours", "theirs"), PAIRS, ids=IDS)
def test_activation_gradcheck(ours: nn.Module, theirs: torch.nn.Module) -> None:
    # keep away from the kinks of ReLU-like functions, where the finite difference straddles two slopes
    signs = np.where(np.arange(12) % 2, 1, -1).reshape(3, 4)
    values = np.random.default_rng(5).uniform(0.1, 2.0, (3, 4)) * signs
    x = cr.tensor(values, dtype=cr.float64, requires_grad=True)
    assert gradcheck(lambda t: ours(t), (x,))


@pytest.mark.parametrize(("name", "kwargs"), [
    ("sigmoid", {}), ("tanh", {}), ("relu", {}), ("leaky_relu", {"negative_slope": 0.2}),
    ("elu", {"alpha": 0.7}),
    ("gelu", {"approximate": "tanh"}), ("softplus", {"beta": 0.5}), ("logsigmoid", {}),
    ("softmax", {"dim": 0}), ("log_softmax", {"dim": 1}),
])
def test_functional_matches_torch(name: str, kwargs: dict) -> None:
    x, tx = both_tensors(np.random.default_rng(7).standard_normal((4, 3)) * 3)
    ours, theirs = getattr(F, name)(x, **kwargs), getattr(torch.nn.functional, name)(tx, **kwargs)
    assert_close(ours, theirs)
    upstream = np.random.default_rng(8).standard_normal((4, 3))
    ours.backward(cr.tensor(upstream))
    theirs.backward(torch.tensor(upstream))
    assert_close(x.grad, tx.grad)


def test_activations_keep_float32_and_accept_integers_as_pytorch() -> None:
    for module in [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.GELU(), nn.ELU(), nn.Softplus(), nn.LeakyReLU()]:
        assert module(cr.randn(3)).dtype == cr.float32
    assert F.sigmoid(cr.tensor([0, 1])).dtype == cr.float32
    with pytest.raises(TypeError, match="must be a chainrule Tensor"):
        F.relu(np.ones(3))


def test_activations_are_finite_at_large_inputs() -> None:
    x = cr.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=cr.float64, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for module in [nn.Sigmoid(), nn.Tanh(), nn.Softplus(), nn.LogSigmoid(), nn.ELU(), nn.GELU(),
                       nn.Softmax(dim=0), nn.LogSoftmax(dim=0)]:
            x.grad = None
            out = module(x)
            out.sum().backward()
            assert np.all(np.isfinite(out.data)) and np.all(np.isfinite(x.grad.data)), repr(module)


def test_softmax_without_dim_warns_and_uses_pytorch_rule() -> None:
    x = cr.randn(3, 4)
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        out = nn.Softmax()(x)
    np.testing.assert_allclose(out.data.sum(axis=1), np.ones(3), rtol=1e-6)  # dim 1 for 2-D input
    with pytest.warns(UserWarning, match="log_softmax"):
        F.log_softmax(cr.randn(4))


def test_gelu_rejects_unknown_approximation() -> None:
    with pytest.raises(ValueError, match="'none' or 'tanh', got 'erf'"):
        nn.GELU("erf")


def test_step_forward_is_heaviside() -> None:
    # the notes' step function: 1 if h > T else 0
    out = nn.Step()(cr.tensor([-2.0, 0.0, 1e-9, 3.0]))
    assert out.tolist() == [0.0, 0.0, 1.0, 1.0]
    assert nn.Step(threshold=1.5)(cr.tensor([1.0, 2.0])).tolist() == [0.0, 1.0]
    assert repr(nn.Step()) == "Step()" and repr(nn.Step(0.5)) == "Step(threshold=0.5)"
    # a perceptron with hand-set weights computes AND through it
    gate = nn.Sequential(nn.Linear(2, 1), nn.Step())
    gate.load_state_dict({"0.weight": np.array([[1.0, 1.0]]), "0.bias": np.array([-1.5])})
    corners = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    assert gate(corners).reshape(-1).tolist() == [0.0, 0.0, 0.0, 1.0]


def test_step_backward_explains_why_it_cannot_be_trained_by_gradient_descent() -> None:
    layer = nn.Linear(2, 1)
    out = nn.Step()(layer(cr.randn(4, 2))).sum()
    with pytest.raises(RuntimeError, match="derivative is 0 everywhere") as error:
        out.backward()
    message = str(error.value)
    assert "no signal" in message and "cr.Perceptron" in message and "nn.Sigmoid()" in message
    assert layer.weight.grad is None
