"""PyTorch-compatibility features inside a compiled step: what a replay cannot repeat (gradients of
gradients, ``autograd.grad``, a backward of several tensors, a custom Function, in-place forms such as
``relu_``, ``out=``) runs eagerly with one CompileWarning, and the numbers stay bit-exact the eager ones."""

from __future__ import annotations

from typing import Any

import pytest
from test_compile_uncapturable import _run_both, _train

import chainrule as cr
from chainrule import nn


class Square(cr.autograd.Function):
    @staticmethod
    def forward(ctx: Any, x: Any) -> Any:
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx: Any, grad: Any) -> Any:
        (x,) = ctx.saved_tensors
        return 2 * x * grad


def _penalised(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor, how: str) -> cr.Tensor:
    opt.zero_grad()
    out = model(x)
    loss = nn.functional.mse_loss(Square.apply(out) if how == "custom" else out, y)
    if how == "create_graph":
        grads = cr.autograd.grad(loss, list(model.parameters()), create_graph=True)
        (loss + 0.1 * sum((g ** 2).sum() for g in grads)).backward()
    elif how == "two_roots":
        cr.autograd.backward([loss, 0.5 * out.abs().mean()])
    else:
        loss.backward()
    opt.step()
    return loss


@pytest.mark.parametrize("how, reason", [("create_graph", "autograd.grad"), ("two_roots", "several tensors"),
                                         ("custom", "custom autograd.Function")])
def test_what_a_replay_cannot_repeat_runs_eagerly(how: str, reason: str) -> None:
    eager, got, compiled, messages = _run_both(lambda m, o, x, y: _penalised(m, o, x, y, how))
    assert [g.item() for g in got] == [e.item() for e in eager]
    assert compiled.replays == 0 and len(messages) == 1 and reason in messages[0]


def test_create_graph_backward_inside_the_step_runs_eagerly() -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward(create_graph=True)
        opt.step()
        return loss

    eager, got, compiled, messages = _run_both(body)
    assert [g.item() for g in got] == [e.item() for e in eager]
    assert compiled.replays == 0 and len(messages) == 1 and "create_graph=True" in messages[0]


@pytest.mark.parametrize("write", ["relu_", "clamp_min_", "out="])
def test_new_in_place_writes_run_eagerly(write: str) -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
        loss = _train(model, opt, x, y)
        bias = model[2].bias
        with cr.no_grad():
            if write == "out=":
                cr.mul(bias, 0.5, out=bias)
            else:
                getattr(bias, write)(*(() if write == "relu_" else (0.05,)))
        return loss

    eager, got, compiled, messages = _run_both(body)
    assert [g.item() for g in got] == [e.item() for e in eager]
    assert compiled.replays == 0 and len(messages) == 1 and "in place" in messages[0]
