"""cr.compile gives the eager numbers bit for bit (float64): every optimiser, loss, dropout, parameter
groups, schedulers between calls, gradient clipping, manual updates; and it actually replays."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

F64 = cr.float64
STEPS = 8


def _mlp(seed: int, out: int = 3, dropout: float = 0.0) -> nn.Module:
    cr.manual_seed(seed)
    layers: list[nn.Module] = [nn.Linear(5, 6, dtype=F64), nn.Tanh()]
    if dropout:
        layers.append(nn.Dropout(dropout))
    layers += [nn.Linear(6, out, dtype=F64)]
    return nn.Sequential(*layers)


def _batches(n: int, target: str, out: int = 3) -> list[tuple[cr.Tensor, cr.Tensor]]:
    rng = np.random.default_rng(7)
    batches = []
    for _ in range(n):
        x = cr.tensor(rng.normal(size=(8, 5)))
        if target == "class":
            y = cr.tensor(rng.integers(0, out, 8))
        elif target == "prob":
            y = cr.tensor(rng.dirichlet(np.ones(out), 8))
        elif target == "binary":
            y = cr.tensor(rng.integers(0, 2, (8, out)).astype(np.float64))
        else:
            y = cr.tensor(rng.normal(size=(8, out)))
        batches.append((x, y))
    return batches


def _compare(make: Callable[[], tuple[nn.Module, Callable[..., Any]]],
             batches: list[Any]) -> cr.compiler.CompiledFunction:
    """Run the same steps eagerly, then compiled, each from the same seed (so dropout draws the same
    stream); results and parameters must be identical after every call. Returns the compiled function."""
    cr.manual_seed(123)
    eager_model, eager_step = make()
    expected = []
    for args in batches:
        expected.append((_plain(eager_step(*args)), [p.data.copy() for p in eager_model.parameters()]))
    cr.manual_seed(123)
    model, step = make()
    compiled = cr.compile(step)
    for i, (args, (result, parameters)) in enumerate(zip(batches, expected, strict=True)):
        assert _plain(compiled(*args)) == result, f"call {i}"
        for p, q in zip(parameters, model.parameters(), strict=True):
            np.testing.assert_array_equal(q.data, p, err_msg=f"call {i}")
    return compiled


def _plain(value: Any) -> Any:
    if isinstance(value, cr.Tensor):
        return value.data.tolist()
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _step_for(model: nn.Module, opt: Any, loss_fn: Callable[..., Any]) -> Callable[..., Any]:
    def step(x: cr.Tensor, y: cr.Tensor) -> float:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


OPTIMISERS: dict[str, Callable[[Any], Any]] = {
    "sgd": lambda p: cr.optim.SGD(p, lr=0.1),
    "sgd_momentum": lambda p: cr.optim.SGD(p, lr=0.1, momentum=0.9, dampening=0.1),
    "sgd_nesterov_wd": lambda p: cr.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-2),
    "adam": lambda p: cr.optim.Adam(p, lr=1e-2, weight_decay=1e-3),
    "adam_amsgrad": lambda p: cr.optim.Adam(p, lr=1e-2, amsgrad=True),
    "adamw": lambda p: cr.optim.AdamW(p, lr=1e-2),
    "rmsprop": lambda p: cr.optim.RMSprop(p, lr=1e-2, momentum=0.5, centered=True),
    "adagrad": lambda p: cr.optim.Adagrad(p, lr=1e-1, lr_decay=1e-3),
}


@pytest.mark.parametrize("name", sorted(OPTIMISERS))
def test_every_optimiser_matches_eager_bit_for_bit(name: str) -> None:
    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(0)
        return model, _step_for(model, OPTIMISERS[name](model.parameters()), nn.CrossEntropyLoss())

    compiled = _compare(make, _batches(STEPS, "class"))
    assert compiled.replays == STEPS - 2  # two calls trace, the rest replay


LOSSES: dict[str, tuple[Callable[[], Any], str]] = {
    "mse": (nn.MSELoss, "real"),
    "l1": (nn.L1Loss, "real"),
    "huber": (lambda: nn.HuberLoss(delta=0.5), "real"),
    "bce": (lambda: (lambda out, y: nn.BCELoss()(out.sigmoid(), y)), "binary"),
    "bce_with_logits": (lambda: nn.BCEWithLogitsLoss(pos_weight=cr.tensor([1.0, 2.0, 0.5], dtype=F64)), "binary"),
    "cross_entropy": (lambda: nn.CrossEntropyLoss(label_smoothing=0.1), "class"),
    "cross_entropy_weighted_sum": (lambda: nn.CrossEntropyLoss(weight=cr.tensor([1.0, 2.0, 3.0], dtype=F64),
                                                               reduction="sum"), "class"),
    "cross_entropy_probabilities": (nn.CrossEntropyLoss, "prob"),
    "nll": (lambda: (lambda out, y: nn.NLLLoss()(out.log_softmax(1), y)), "class"),
}


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_every_loss_matches_eager_bit_for_bit(name: str) -> None:
    make_loss, target = LOSSES[name]

    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(1)
        return model, _step_for(model, cr.optim.SGD(model.parameters(), lr=0.05), make_loss())

    assert _compare(make, _batches(6, target)).replays == 4


def test_dropout_draws_fresh_masks_from_the_same_stream_as_eager() -> None:
    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(2, dropout=0.4)
        return model, _step_for(model, cr.optim.SGD(model.parameters(), lr=0.1), nn.CrossEntropyLoss())

    batches = _batches(1, "class") * STEPS  # the same batch: the masks differ from call to call
    compiled = _compare(make, batches)
    assert compiled.replays == STEPS - 2


def test_parameter_groups_scheduler_and_clipping_read_at_replay_time() -> None:
    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(3)
        first, second = model[0], model[2]
        opt = cr.optim.SGD([{"params": first.parameters(), "lr": 0.3},
                            {"params": second.parameters(), "momentum": 0.5}], lr=0.05)
        scheduler = cr.optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
        loss_fn = nn.MSELoss()

        def step(x: cr.Tensor, y: cr.Tensor) -> tuple[cr.Tensor, cr.Tensor]:
            opt.zero_grad()
            loss = loss_fn(model(x), y)
            loss.backward()
            norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            nn.utils.clip_grad_value_(second.parameters(), 0.05)
            opt.step()
            scheduler.step()  # inside the step: replayed too
            return loss, norm

        return model, step

    compiled = _compare(make, _batches(STEPS, "real"))
    assert compiled.replays == STEPS - 2


def test_lr_changed_between_calls_is_used_by_the_next_replay() -> None:
    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(4)
        opt = cr.optim.Adam(model.parameters(), lr=1e-2)
        make.opt = opt  # type: ignore[attr-defined]
        return model, _step_for(model, opt, nn.MSELoss())

    cr.manual_seed(123)
    eager_model, eager_step = make()
    eager_opt = make.opt  # type: ignore[attr-defined]
    cr.manual_seed(123)
    model, step = make()
    opt = make.opt  # type: ignore[attr-defined]
    compiled = cr.compile(step)
    scheduler, eager_scheduler = (cr.optim.lr_scheduler.ExponentialLR(o, gamma=0.7) for o in (opt, eager_opt))
    for x, y in _batches(STEPS, "real"):
        assert compiled(x, y) == eager_step(x, y)
        scheduler.step()
        eager_scheduler.step()
    assert compiled.replays == STEPS - 2
    for p, q in zip(eager_model.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(q.data, p.data)


def test_manual_update_and_tensor_results() -> None:
    """The notes' hand-written loop: p -= lr * p.grad under no_grad, gradients zeroed with the module."""

    def make() -> tuple[nn.Module, Callable[..., Any]]:
        model = _mlp(5)

        def step(x: cr.Tensor, y: cr.Tensor) -> dict[str, Any]:
            model.zero_grad()
            out = model(x)
            loss = ((out - y) ** 2).mean() + 0.01 * (model[0].weight ** 2).sum()
            loss.backward()
            with cr.no_grad():
                for p in model.parameters():
                    p -= 0.1 * p.grad
            return {"loss": loss, "out": out}

        return model, step

    compiled = _compare(make, _batches(STEPS, "real"))
    assert compiled.replays == STEPS - 2


def test_compiled_module_is_the_eager_forward_and_follows_training() -> None:
    model = _mlp(6, dropout=0.5)
    model.eval()
    fast = cr.compile(model)
    opt = cr.optim.SGD(model.parameters(), lr=0.1)
    for x, y in _batches(6, "class"):
        with cr.no_grad():
            expected = model(x).data
        np.testing.assert_array_equal(fast(x).data, expected)
        nn.CrossEntropyLoss()(model(x), y).backward()  # eval mode: no dropout, deterministic
        opt.step()
        opt.zero_grad()
    assert fast._forward.replays == 4
    assert not fast(x).requires_grad


def test_new_shapes_and_dtypes_trace_again_and_are_cached() -> None:
    model = _mlp(7)
    fast = cr.compile(model)
    rng = np.random.default_rng(0)
    for _ in range(3):
        for rows in (2, 9):
            x = cr.tensor(rng.normal(size=(rows, 5)))
            with cr.no_grad():
                np.testing.assert_array_equal(fast(x).data, model(x).data)
    assert fast._forward.replays == 2  # per shape: calls 1-2 trace, call 3 replays
    with pytest.raises(RuntimeError, match="dtype float32"):  # the eager error, on the first call
        fast(cr.tensor(rng.normal(size=(2, 5)), dtype=cr.float32))


def test_each_dtype_gets_its_own_replay() -> None:
    fast = cr.compile(lambda x: (x * 3.0).tanh().sum(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing here is worth a warning
        for _ in range(3):
            for dtype in (cr.float32, cr.float64):
                x = cr.randn(4, 3, dtype=dtype)
                out = fast(x)
                assert out.dtype == dtype
                np.testing.assert_array_equal(out.data, (x * 3.0).tanh().sum(1).data)
    assert fast.replays == 2


@pytest.mark.parametrize("options", [{"batch_size": 16, "metrics": ["accuracy"]},
                                     {"batch_size": None, "optimizer": "adam"}])
def test_fit_with_compile_trains_exactly_as_without(options: dict[str, Any]) -> None:
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 5)), rng.integers(0, 3, 100)
    histories, weights = [], []
    for compile_step in (False, True):
        model = _mlp(8)
        cr.manual_seed(9)
        settings = {"optimizer": "sgd", **options}
        history = cr.fit(model, X, y, loss="cross_entropy", lr=0.05, epochs=4, verbose=False,
                         compile=compile_step, **settings)
        histories.append(history.history)
        weights.append([p.data.copy() for p in model.parameters()])
    assert histories[0] == histories[1]
    for a, b in zip(*weights, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow is the point
def test_fit_with_compile_stops_on_a_non_finite_loss_before_the_update() -> None:
    X, y = np.ones((8, 5)), np.zeros((8, 3))
    y[5] = 1e300  # its square overflows: the loss of the second batch is inf
    model = _mlp(9)
    with pytest.raises(FloatingPointError, match="batch 2/2"):
        cr.fit(model, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=3, batch_size=4, shuffle=False, verbose=False,
               compile=True)
    assert all(np.isfinite(p.data).all() for p in model.parameters())


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_training_step_replay_notices_a_non_finite_loss_and_updates_nothing() -> None:
    from chainrule.compiler.steps import training_step

    model = _mlp(10)
    step = training_step(model, nn.MSELoss(), cr.optim.SGD(model.parameters(), lr=0.1))
    x, y = cr.ones(4, 5, dtype=F64), cr.zeros(4, 3, dtype=F64)
    for _ in range(3):
        assert step(x, y)[2] is True
    assert step.replays == 1
    before = [p.data.copy() for p in model.parameters()]
    output, loss, finite = step(x, cr.full((4, 3), 1e300, dtype=F64))
    assert finite is False and loss.item() == np.inf
    for p, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(p.data, b)


def test_docstring_example_runs() -> None:
    import doctest

    from chainrule.compiler import api

    result = doctest.testmod(api, extraglobs={"cr": cr})
    assert result.attempted > 0 and result.failed == 0
