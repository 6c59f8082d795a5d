"""The training helpers every caller shares: the evaluation helper (eval mode + no_grad, modes restored),
the no-improvement counter (Keras's and scikit-learn's rules), and the per-batch callback hooks."""

from __future__ import annotations

import doctest
import importlib
import math
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.train import Callback
from chainrule.train.evaluation import evaluation_mode, predict_arrays
from chainrule.train.no_improvement import NoImprovementCounter

# -- the evaluation helper -----------------------------------------------------------------------------------


class ModeSpy(nn.Module):
    """Records the train/eval flag and grad mode it runs under; returns its input unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[bool, bool]] = []

    def forward(self, input: cr.Tensor) -> cr.Tensor:  # noqa: A002
        self.seen.append((self.training, cr.is_grad_enabled()))
        return input


def _mixed_model() -> tuple[nn.Sequential, ModeSpy]:
    """A model in train mode whose Dropout the user froze in eval mode."""
    spy = ModeSpy()
    model = nn.Sequential(nn.Linear(3, 3), nn.Dropout(0.5), spy)
    model[1].eval()
    return model, spy


def test_evaluation_mode_runs_in_eval_without_grad_and_restores_each_modules_mode() -> None:
    model, spy = _mixed_model()
    with evaluation_mode(model):
        assert not any(module.training for module in model.modules()) and not cr.is_grad_enabled()
    assert [module.training for module in model] == [True, False, True]  # not model.train(True) for all
    assert model.training and cr.is_grad_enabled()


def test_evaluation_mode_restores_the_modes_after_an_error() -> None:
    model, _ = _mixed_model()
    with pytest.raises(ZeroDivisionError), evaluation_mode(model):
        1 / 0  # noqa: B018
    assert [module.training for module in model] == [True, False, True] and cr.is_grad_enabled()


@pytest.mark.parametrize("run", [
    lambda model, X: cr.train.predict(model, X, batch_size=2),
    lambda model, X: cr.evaluate(model, X, np.zeros((5, 3)), loss="mse", batch_size=2),
    lambda model, X: cr.fit(model, X, np.zeros((5, 3)), loss="mse", optimizer="sgd", epochs=1, verbose=False,
                            validation_data=(X, np.zeros((5, 3)))),
    lambda model, X: cr.summary(model, input_shape=3),
], ids=["predict", "evaluate", "fit-validation", "summary"])
def test_every_evaluation_uses_eval_mode_and_no_grad_and_restores_the_modes(run: Any) -> None:
    model, spy = _mixed_model()
    X = np.arange(15.0).reshape(5, 3).astype(np.float32)
    run(model, X)
    evaluations = [seen for seen in spy.seen if seen == (False, False)]
    assert evaluations, "the model was never run in eval mode under no_grad"
    assert all(seen in ((False, False), (True, True)) for seen in spy.seen)  # never half of each
    assert [module.training for module in model] == [True, False, True]


def test_predict_arrays_batches_and_reports_each_batch() -> None:
    model = nn.Linear(2, 1)
    X = np.arange(10.0, dtype=np.float32).reshape(5, 2)
    rows_seen: list[tuple[int, int]] = []
    out = predict_arrays(model, X, 2, on_batch=lambda output, rows: rows_seen.append((rows.start, len(output))))
    assert rows_seen == [(0, 2), (2, 2), (4, 1)]
    expected = X @ model.weight.data.T + model.bias.data
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_predict_arrays_refuses_a_model_that_returns_no_tensor() -> None:
    class Numbers(nn.Module):
        def forward(self, input: cr.Tensor) -> Any:  # noqa: A002
            return input.data

    with pytest.raises(TypeError, match="predict: the model returned ndarray; it must return a Tensor"):
        cr.train.predict(Numbers(), np.zeros((2, 2)))


# -- the no-improvement counter ------------------------------------------------------------------------------


def _run(counter: NoImprovementCounter, values: list[float]) -> list[tuple[bool, float, int, bool]]:
    """(is new best, best, wait, exhausted) after each value."""
    trace = []
    for epoch, value in enumerate(values):
        is_best = counter.update(value, epoch)
        trace.append((is_best, counter.best, counter.wait, counter.exhausted))
    return trace


def test_keras_rule_needs_more_than_min_delta_and_moves_best_only_on_improvement() -> None:
    counter = NoImprovementCounter("min", min_delta=0.1, patience=2)
    assert _run(counter, [1.0, 0.95, 0.9, 0.85]) == [
        (True, 1.0, 0, False),
        (False, 1.0, 1, False),   # 0.05 better: not enough, and the best stays 1.0
        (False, 1.0, 2, True),    # exactly min_delta better: still not more than it; patience 2 reached
        (True, 0.85, 0, False),   # 0.15 better than 1.0
    ]
    assert counter.best_epoch == 3


def test_sklearn_rule_counts_tol_as_enough_and_follows_every_new_minimum() -> None:
    counter = NoImprovementCounter("min", min_delta=0.25, patience=1, rule="sklearn")
    assert _run(counter, [1.0, 0.9, 0.75, 0.5]) == [
        (True, 1.0, 0, False),
        (True, 0.9, 1, False),    # better by less than tol: no improvement counted, yet the new best
        (True, 0.75, 2, True),    # again; 2 epochs > patience 1
        (True, 0.5, 0, False),    # exactly tol below the best 0.75: that counts as an improvement
    ]


def test_sklearn_rule_is_scikit_learns_loop() -> None:
    """scikit-learn's ``_update_no_improvement_count`` written out, against the counter."""
    rng = np.random.default_rng(0)
    for mode in ("min", "max"):
        for tol in (0.0, 0.05, 0.2):
            values = list(np.round(rng.uniform(0, 1, 30), 1))  # ties and exact-tol steps happen
            counter = NoImprovementCounter(mode, tol, patience=3, rule="sklearn")
            best, count = (math.inf, 0) if mode == "min" else (-math.inf, 0)
            for value in values:
                if mode == "min":
                    count = count + 1 if value > best - tol else 0
                    best = min(best, value)
                else:
                    count = count + 1 if value < best + tol else 0
                    best = max(best, value)
                counter.update(value)
                assert (counter.best, counter.wait, counter.exhausted) == (best, count, count > 3)


def test_counter_in_max_mode_snapshots_the_best_state_and_saves_its_numbers() -> None:
    counter = NoImprovementCounter("max", patience=0)
    states = iter(["first", "second", "third"])
    assert _run(counter, [0.5, 0.7, 0.7]) == [(True, 0.5, 0, False), (True, 0.7, 0, False), (False, 0.7, 1, True)]
    counter.reset()
    for epoch, value in enumerate([0.5, 0.7, 0.6]):
        counter.update(value, epoch, lambda: next(states))
    assert counter.best_state == "second" and counter.best_epoch == 1
    resumed = NoImprovementCounter("max")
    resumed.load_state_dict(counter.state_dict())
    assert (resumed.best, resumed.wait, resumed.best_epoch) == (0.7, 1, 1)


def test_counter_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="mode must be 'min' or 'max', got 'up'"):
        NoImprovementCounter("up")
    with pytest.raises(ValueError, match="min_delta .* cannot be negative, got -1"):
        NoImprovementCounter(min_delta=-1)
    with pytest.raises(ValueError, match="rule must be one of keras, sklearn, got 'torch'"):
        NoImprovementCounter(rule="torch")


def test_early_stopping_and_the_cli_resume_share_the_counter() -> None:
    from chainrule.cli.training import ResumableEarlyStopping

    stop = cr.train.EarlyStopping(patience=2)
    stop.on_train_begin()
    for epoch, value in enumerate([1.0, 0.5, 0.6]):
        stop.on_epoch_end(epoch, {"loss": value})
    assert (stop.best, stop.wait, stop.best_epoch) == (0.5, 1, 1) and stop.counter.best == 0.5
    best_weights = {"0.weight": [[1.0, 2.0]]}  # as a checkpoint's metadata holds them
    resumed = ResumableEarlyStopping(patience=2, state={"best": 0.5, "wait": 1, "best_epoch": 1,
                                                        "best_weights": best_weights})
    resumed.on_train_begin()
    resumed.on_epoch_end(3, {"val_loss": 0.7})  # the second epoch in a row without improvement
    state = resumed.state()
    kept = state.pop("best_weights")
    assert resumed.stop_training and state == {"best": 0.5, "wait": 2, "best_epoch": 1}
    assert kept.keys() == {"0.weight"} and np.array_equal(kept["0.weight"], [[1.0, 2.0]])


# -- the per-batch hooks ---------------------------------------------------------------------------------------


def test_fit_calls_on_batch_begin_before_each_forward_pass_and_on_batch_end_after_the_update() -> None:
    calls: list[tuple[str, int, Any, np.ndarray]] = []

    class Recorder(Callback):
        def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            calls.append(("begin", batch, dict(logs or {}), self.model.weight.data.copy()))

        def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            calls.append(("end", batch, sorted(logs or {}), self.model.weight.data.copy()))

    cr.manual_seed(0)
    model = nn.Linear(1, 1)
    X, y = cr.data.linear(10, seed=0)
    cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=2, batch_size=4, shuffle=False,
           callbacks=[Recorder()], verbose=False)
    assert [(kind, batch) for kind, batch, *_ in calls] == [
        ("begin", 0), ("end", 0), ("begin", 1), ("end", 1), ("begin", 2), ("end", 2)] * 2
    assert [logs for kind, _, logs, _ in calls if kind == "begin"][:3] == [{"size": 4}, {"size": 4}, {"size": 2}]
    assert calls[1][2] == ["loss", "size"]
    # begin sees the weights before the batch's update, end those after it
    assert not np.array_equal(calls[0][3], calls[1][3]) and np.array_equal(calls[1][3], calls[2][3])


@pytest.mark.parametrize("name", ["chainrule.train.evaluation", "chainrule.train.no_improvement"])
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
