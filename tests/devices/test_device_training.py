"""Modules, optimisers, state_dict, model files and cr.fit/evaluate/predict on the stand-in GPU: the same
seed gives the same model and the same training trajectory as on the CPU."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim

pytestmark = pytest.mark.usefixtures("cuda")


def _model(seed: int = 0) -> nn.Module:
    cr.manual_seed(seed)
    return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 3))


@pytest.mark.parametrize("make_optimizer", [
    lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda p: optim.Adam(p, lr=0.01, amsgrad=True), lambda p: optim.AdamW(p, lr=0.01),
    lambda p: optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True), lambda p: optim.Adagrad(p, lr=0.1),
], ids=["sgd", "adam", "adamw", "rmsprop", "adagrad"])
def test_module_to_moves_in_place_and_training_matches_the_cpu(make_optimizer: object) -> None:
    X = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    y = np.arange(16) % 3
    results = []
    for device in ("cpu", "cuda"):
        model = _model()
        params = list(model.parameters())
        opt = make_optimizer(params)  # type: ignore[operator]  # made BEFORE the move, as users do
        assert model.to(device) is model and list(model.parameters()) == params
        assert all(p.device.type == device for p in params)
        cr.manual_seed(1)
        for _ in range(3):
            loss = nn.functional.cross_entropy(model(cr.tensor(X, device=device)), cr.tensor(y, device=device))
            opt.zero_grad()
            loss.backward()
            opt.step()
        for state in opt.state.values():
            for value in state.values():
                if isinstance(value, cr.Tensor):
                    assert value.device.type == device
        results.append([p.detach().cpu().numpy() for p in params])
    for cpu, gpu in zip(*results, strict=True):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-5, atol=1e-6)


def test_state_dict_and_model_files_from_the_gpu(tmp_path: object) -> None:
    model = _model().cuda()
    state = model.state_dict()
    assert all(t.is_cuda for t in state.values())
    host = _model(5)
    host.load_state_dict(state)  # onto the CPU module from GPU tensors
    for a, b in zip(host.parameters(), model.parameters(), strict=True):
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().cpu().numpy())
    back = _model(7).to("cuda:1")
    back.load_state_dict(host.state_dict())  # host arrays onto the module's GPU
    assert all(p.device == cr.device("cuda:1") for p in back.parameters())
    path = tmp_path / "model.safetensors"  # type: ignore[operator]
    cr.io.save(model, path)
    loaded = cr.io.load(path)
    assert all(p.device.type == "cpu" for p in loaded.parameters())
    np.testing.assert_array_equal(loaded[0].weight.detach().numpy(), model[0].weight.detach().cpu().numpy())
    assert model.cpu() is model and all(p.device.type == "cpu" for p in model.parameters())


def test_fit_evaluate_predict_move_batches_to_the_model() -> None:
    X = np.random.default_rng(0).standard_normal((40, 4)).astype(np.float32)
    y = (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 0)
    histories, predictions = [], []
    for device in ("cpu", "cuda"):
        model = _model().to(device)
        history = cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=3, batch_size=8,
                         seed=0, metrics=["accuracy"], validation_split=0.25, verbose=0)
        histories.append(history.history["loss"])
        assert set(cr.evaluate(model, X, y, loss="cross_entropy", metrics=["accuracy"])) == {"loss", "accuracy"}
        predictions.append(cr.train.predict(model, X))
        assert isinstance(predictions[-1], np.ndarray)
    np.testing.assert_allclose(histories[1], histories[0], rtol=1e-5)
    np.testing.assert_allclose(predictions[1], predictions[0], rtol=1e-5, atol=1e-6)
