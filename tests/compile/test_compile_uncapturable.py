"""What cr.compile cannot replay is detected: traced again, or run eagerly with one warning naming the
reason, and the numbers stay the eager ones (never a silently wrong result)."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.compiler import CompileWarning


def _setup(seed: int = 0) -> tuple[nn.Module, Any]:
    cr.manual_seed(seed)
    model = nn.Sequential(nn.Linear(3, 4, dtype=cr.float64), nn.Sigmoid(), nn.Linear(4, 1, dtype=cr.float64))
    return model, cr.optim.SGD(model.parameters(), lr=0.2)


def _data(n: int = 8) -> list[tuple[cr.Tensor, cr.Tensor]]:
    rng = np.random.default_rng(3)
    return [(cr.tensor(rng.normal(size=(6, 3))), cr.tensor(rng.normal(size=(6, 1)))) for _ in range(n)]


def _run_both(body: Callable[..., Any], n: int = 8) -> tuple[list[Any], list[Any], Any, list[str]]:
    """``body(model, opt, x, y)`` eagerly and compiled on fresh identical setups: (eager results,
    compiled results, compiled function, warning messages)."""
    model, opt = _setup()
    eager = [body(model, opt, x, y) for x, y in _data(n)]
    eager_params = [p.data.copy() for p in model.parameters()]
    model, opt = _setup()
    compiled = cr.compile(lambda x, y: body(model, opt, x, y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got = [compiled(x, y) for x, y in _data(n)]
    for p, q in zip(eager_params, model.parameters(), strict=True):
        np.testing.assert_array_equal(q.data, p)
    messages = [str(w.message) for w in caught if issubclass(w.category, CompileWarning)]
    return eager, got, compiled, messages


def _train(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(x), y)
    loss.backward()
    opt.step()
    return loss


def test_item_in_the_middle_runs_eagerly_with_one_warning() -> None:
    seen: list[float] = []

    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> None:
        seen.append(_train(model, opt, x, y).item())  # a Python side effect of the value

    _, _, compiled, messages = _run_both(body)
    assert len(seen) == 16  # every call appended: eager ran the Python code each time
    assert len(messages) == 1 and ".item()" in messages[0] and "eagerly" in messages[0]
    assert compiled.replays == 0 and compiled.eager_reasons


def test_loss_value_returned_to_python_is_replayed() -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> tuple[float, float]:
        loss = _train(model, opt, x, y)
        return loss.item(), float(loss * 2)

    eager, got, compiled, messages = _run_both(body)
    assert got == eager and not messages and compiled.replays == 6


def test_branch_on_a_value_before_the_update_traces_again_when_it_flips() -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(x), y)
        if loss > 0.6:  # data-dependent Python control flow
            loss = loss * 3.0
        loss.backward()
        opt.step()
        return loss

    eager, got, compiled, messages = _run_both(body, n=12)
    assert [g.item() for g in got] == [e.item() for e in eager]
    losses = [e.item() for e in eager]
    assert any(v > 0.6 for v in losses) and any(v <= 0.6 for v in losses)  # the branch really flips
    assert compiled.replays > 0 and not messages


def test_branch_after_the_update_runs_eagerly() -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> int:
        loss = _train(model, opt, x, y)
        return 1 if loss > 0.6 else 0

    eager, got, compiled, messages = _run_both(body)
    assert got == eager and compiled.replays == 0
    assert len(messages) == 1 and "bool()" in messages[0]


def test_parameters_changed_from_outside_between_calls() -> None:
    model, opt = _setup()
    eager_model, eager_opt = _setup()
    compiled = cr.compile(lambda x, y: _train(model, opt, x, y))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, (x, y) in enumerate(_data(10)):
            if i == 4:  # in place: the replay reads the same arrays
                for m in (model, eager_model):
                    m[0].weight.data[...] = 0.5
            if i == 7:  # new arrays: the replay notices and traces again
                for m in (model, eager_model):
                    m[2].weight.data = np.full((1, 4), -0.25)
            assert compiled(x, y).item() == _train(eager_model, eager_opt, x, y).item()
    for p, q in zip(eager_model.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(q.data, p.data)
    messages = [str(w.message) for w in caught if issubclass(w.category, CompileWarning)]
    assert len(messages) == 1 and "replaced" in messages[0]


def test_switching_to_eval_mode_traces_again() -> None:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 8, dtype=cr.float64), nn.Dropout(0.5), nn.Linear(8, 1, dtype=cr.float64))
    fast = cr.compile(lambda x: model(x))
    x = cr.tensor(np.ones((2, 3)))
    with cr.no_grad():
        for _ in range(3):
            fast(x)
        model.eval()
        np.testing.assert_array_equal(fast(x).data, model(x).data)  # no dropout any more
        assert np.array_equal(fast(x).data, fast(x).data)


def test_tensor_made_from_numpy_inside_the_step_runs_eagerly() -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
        opt.zero_grad()
        out = model(x)
        centred = cr.tensor(y.data - y.data.mean())  # computed where the tracer cannot see
        loss = nn.functional.mse_loss(out, centred)
        loss.backward()
        opt.step()
        return loss

    eager, got, compiled, messages = _run_both(body)
    assert [g.item() for g in got] == [e.item() for e in eager]
    assert compiled.replays == 0 and len(messages) == 1 and "NumPy" in messages[0]


def test_result_with_a_graph_for_an_outside_backward_runs_eagerly() -> None:
    model, _ = _setup()
    forward = cr.compile(lambda x: model(x))
    with pytest.warns(CompileWarning, match="backward"):
        out = forward(_data(1)[0][0])
    out.sum().backward()  # still the eager result, graph and all
    assert model[0].weight.grad is not None


@pytest.mark.parametrize("write", ["zero_", "setitem"])
def test_in_place_writes_it_cannot_replay_run_eagerly(write: str) -> None:
    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> cr.Tensor:
        loss = _train(model, opt, x, y)
        with cr.no_grad():
            if write == "zero_":
                model[2].bias.zero_()
            else:
                model[2].bias[0] = 0.1
        return loss

    eager, got, compiled, messages = _run_both(body)
    assert [g.item() for g in got] == [e.item() for e in eager]
    assert compiled.replays == 0 and len(messages) == 1 and "in place" in messages[0]


def test_closure_and_hooks_run_eagerly() -> None:
    model, opt = _setup()
    handle = model[0].register_forward_hook(lambda module, inputs, output: None)
    step = cr.compile(lambda x, y: _train(model, opt, x, y))
    with pytest.warns(CompileWarning, match="hooks"):
        for x, y in _data(3):
            step(x, y)
    handle.remove()
    assert step.replays == 0


def test_unhashable_arguments_run_eagerly() -> None:
    fast = cr.compile(lambda xs: xs[0] + xs[1])
    with pytest.warns(CompileWarning, match="hashable"):
        assert fast([cr.ones(2), cr.ones(2)]).tolist() == [2.0, 2.0]


def test_compile_rejects_what_is_not_callable() -> None:
    with pytest.raises(TypeError, match="function or an nn.Module"):
        cr.compile(3)


def test_values_from_ops_outside_the_graph_are_never_baked_in() -> None:
    """argmax is computed outside the recorded ops: an accuracy built on it must not be replayed stale."""

    def body(model: nn.Module, opt: Any, x: cr.Tensor, y: cr.Tensor) -> tuple[float, float]:
        loss = _train(model, opt, x, y)
        hit = (model(x).argmax(1) == (y > 0).long().reshape(-1)).float().mean()
        return loss.item(), hit.item()

    eager, got, compiled, messages = _run_both(body)
    assert got == eager and compiled.replays == 0
    assert len(messages) == 1 and "outside" in messages[0]


def test_freezing_a_layer_between_calls_traces_again() -> None:
    model, opt = _setup()
    eager_model, eager_opt = _setup()
    compiled = cr.compile(lambda x, y: _train(model, opt, x, y))
    for i, (x, y) in enumerate(_data(8)):
        if i == 4:
            for m in (model, eager_model):
                m[0].weight.requires_grad_(False)
        assert compiled(x, y).item() == _train(eager_model, eager_opt, x, y).item()
    for p, q in zip(eager_model.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(q.data, p.data)
    assert compiled.replays == 4
