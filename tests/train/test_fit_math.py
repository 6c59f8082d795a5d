"""cr.fit against the mathematics: full-batch, mini-batch, stochastic and accumulated updates, checked
by hand and against a plain PyTorch loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr


def _regression(n: int = 12, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = X @ np.array([1.0, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=n)
    return X, y


def _model(seed: int = 0) -> cr.nn.Module:
    cr.manual_seed(seed)
    return cr.nn.Sequential(cr.nn.Linear(3, 5), cr.nn.Tanh(), cr.nn.Linear(5, 1)).double()


def _torch_copy(model: cr.nn.Module) -> torch.nn.Module:
    reference = torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 1)).double()
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    return reference


def _parameters(model: cr.nn.Module) -> dict[str, np.ndarray]:
    return {k: v.numpy().copy() for k, v in model.state_dict().items()}


def _assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], rtol: float = 1e-10) -> None:
    assert a.keys() == b.keys()
    for key in a:
        np.testing.assert_allclose(a[key], b[key], rtol=rtol, atol=1e-12, err_msg=key)


def test_one_sgd_step_on_one_sample_by_hand() -> None:
    # y_hat = w x + b = 0.5 * 2 + 0.1 = 1.1; L = (1.1 - 3)^2 = 3.61
    # dL/dw = 2 (1.1 - 3) * 2 = -7.6, dL/db = -3.8; lr = 0.1: w = 1.26, b = 0.48
    model = cr.nn.Linear(1, 1)
    model.load_state_dict({"weight": np.array([[0.5]], np.float32), "bias": np.array([0.1], np.float32)})
    history = cr.fit(model, np.array([[2.0]]), np.array([3.0]), loss="mse",
                     optimizer=cr.optim.SGD(model.parameters(), lr=0.1), epochs=1, batch_size=1,
                     verbose=False)
    assert history.history["loss"] == [pytest.approx(3.61, rel=1e-6)]
    assert model.weight.item() == pytest.approx(1.26, rel=1e-6)
    assert model.bias.item() == pytest.approx(0.48, rel=1e-6)


def test_the_notes_logistic_regression_step() -> None:
    # Notes 001: x = (0.1, 0.7), y = 1, w = (0.8, 0.2), b = 0.1, alpha = 0.5
    # -> new w = (0.82103, 0.3472), new b = 0.31033 (the notes round the gradient -0.4207 first).
    model = cr.nn.Sequential(cr.nn.Linear(2, 1), cr.nn.Sigmoid())
    model.load_state_dict({"0.weight": np.array([[0.8, 0.2]]), "0.bias": np.array([0.1])})
    cr.fit(model, np.array([[0.1, 0.7]]), np.array([1.0]), loss="bce", optimizer="sgd", lr=0.5, epochs=1,
           batch_size=1, verbose=False)
    np.testing.assert_allclose(model[0].weight.detach().numpy(), [[0.82103, 0.3472]], atol=5e-5)
    assert model[0].bias.item() == pytest.approx(0.31033, abs=5e-5)


def test_full_batch_equals_accumulating_every_batch_of_an_epoch() -> None:
    X, y = _regression(12)
    full, accumulated = _model(), _model()
    cr.fit(full, X, y, loss="mse", optimizer="sgd", lr=0.05, epochs=4, batch_size=None, verbose=False)
    # 4 equal batches of 3, gradients summed with each loss divided by 4: the full-batch mean gradient.
    # The order of the batches within an epoch cannot matter, so shuffling is on.
    cr.fit(accumulated, X, y, loss="mse", optimizer="sgd", lr=0.05, epochs=4, batch_size=3, accumulate=4,
           shuffle=True, verbose=False)
    _assert_same(_parameters(full), _parameters(accumulated))


def test_accumulate_equals_a_batch_that_many_times_larger() -> None:
    X, y = _regression(12)
    big, small = _model(1), _model(1)
    cr.fit(big, X, y, loss="mse", optimizer=cr.optim.SGD(big.parameters(), lr=0.05, momentum=0.9), epochs=3,
           batch_size=6, shuffle=False, verbose=False)
    cr.fit(small, X, y, loss="mse", optimizer=cr.optim.SGD(small.parameters(), lr=0.05, momentum=0.9),
           epochs=3, batch_size=2, accumulate=3, shuffle=False, verbose=False)
    _assert_same(_parameters(big), _parameters(small))


def test_batch_size_n_is_full_batch() -> None:
    X, y = _regression(10)
    a, b = _model(2), _model(2)
    cr.fit(a, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=3, batch_size=None, verbose=False)
    cr.fit(b, X, y, loss="mse", optimizer="sgd", lr=0.1, epochs=3, batch_size=10, verbose=False)
    _assert_same(_parameters(a), _parameters(b), rtol=0)


@pytest.mark.parametrize(("batch_size", "accumulate"), [(1, 1), (4, 1), (3, 2), (2, 3)])
def test_mini_batches_match_a_plain_pytorch_loop(batch_size: int, accumulate: int) -> None:
    X, y = _regression(10)  # 10 samples: uneven last batch and uneven last accumulation group
    model = _model(3)
    reference = _torch_copy(model)
    cr.fit(model, X, y, loss="mse", optimizer=cr.optim.SGD(model.parameters(), lr=0.05, momentum=0.5),
           epochs=2, batch_size=batch_size, accumulate=accumulate, shuffle=False, verbose=False)

    optimizer = torch.optim.SGD(reference.parameters(), lr=0.05, momentum=0.5)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
    starts = list(range(0, 10, batch_size))
    groups = [starts[i:i + accumulate] for i in range(0, len(starts), accumulate)]
    for _ in range(2):
        for group in groups:
            for start in group:
                loss = torch.nn.functional.mse_loss(reference(X_t[start:start + batch_size]),
                                                    y_t[start:start + batch_size])
                (loss / len(group)).backward()
            optimizer.step()
            optimizer.zero_grad()
    expected = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    _assert_same(_parameters(model), expected)


def test_cross_entropy_training_matches_pytorch() -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(9, 3))
    y = rng.integers(0, 4, size=9)
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 6), cr.nn.ReLU(), cr.nn.Linear(6, 4)).double()
    reference = torch.nn.Sequential(torch.nn.Linear(3, 6), torch.nn.ReLU(), torch.nn.Linear(6, 4)).double()
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    history = cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=3, batch_size=4,
                     shuffle=False, verbose=False)
    optimizer = torch.optim.Adam(reference.parameters(), lr=0.01)
    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    losses = []
    for _ in range(3):
        total = 0.0
        for start in range(0, 9, 4):
            loss = torch.nn.functional.cross_entropy(reference(X_t[start:start + 4]), y_t[start:start + 4])
            loss.backward()
            optimizer.step()
            optimizer.zero_grad()
            total += loss.item() * len(y_t[start:start + 4])
        losses.append(total / 9)
    np.testing.assert_allclose(history.history["loss"], losses, rtol=1e-10)
    _assert_same(_parameters(model), {k: v.detach().numpy() for k, v in reference.state_dict().items()})
