"""cr.diagnose: every kind of finding on a network broken that way (kind and layer asserted), and no
alarm on healthy networks of several architectures and data sets."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn


def standardise(X: np.ndarray) -> np.ndarray:
    return ((X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1)).astype(np.float32)


def mlp(n_in: int, n_out: int, activation: Any, depth: int, width: int = 16) -> nn.Sequential:
    layers: list[Any] = []
    size = n_in
    for _ in range(depth):
        layers += [nn.Linear(size, width), activation()]
        size = width
    return nn.Sequential(*layers, nn.Linear(size, n_out))


@pytest.fixture(scope="module")
def moons() -> tuple[np.ndarray, np.ndarray]:
    X, y = cr.data.moons(n_samples=300, noise=0.1, seed=0)
    return standardise(X), y


def found(report: Any) -> list[tuple[str, str]]:
    return [(finding.kind, finding.layer) for finding in report.findings]


@pytest.mark.parametrize("name, activation, depth, scale", [
    ("moons", nn.ReLU, 2, True), ("moons", nn.Tanh, 1, False), ("blobs", nn.Sigmoid, 2, True),
    ("spirals", nn.Tanh, 3, True), ("iris", nn.ReLU, 1, True), ("wine", nn.Tanh, 2, True),
    ("digits", nn.ReLU, 2, False),
])
def test_healthy_networks_raise_no_alarm_before_and_after_training(name: str, activation: Any, depth: int,
                                                                     scale: bool) -> None:
    X, y = cr.data.load_dataset(name) if name in ("iris", "wine", "digits") else {
        "moons": lambda: cr.data.moons(n_samples=300, noise=0.1, seed=1),
        "blobs": lambda: cr.data.blobs(n_samples=300, seed=1),
        "spirals": lambda: cr.data.spirals(n_samples=300, noise=0.05, seed=1)}[name]()
    X = standardise(X) if scale else (X / 16 if name == "digits" else X)
    y = np.asarray(y).reshape(-1)
    cr.manual_seed(depth)
    model = mlp(X.shape[1], int(y.max()) + 1, activation, depth, width=32)
    report = cr.diagnose(model, X, y, loss="cross_entropy", lr=0.01, optimizer="adam")
    assert report.findings == [], str(report)
    cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=15, verbose=False, seed=0)
    after = cr.diagnose(model, X, y, loss="cross_entropy", lr=0.05, optimizer="sgd")
    assert after.findings == [], str(after)


def test_dead_relu_names_the_relu_layer(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    model = mlp(2, 2, nn.ReLU, 2)
    model[2].bias.data[...] = -5.0  # every unit of the second hidden layer starts below 0
    report = cr.diagnose(model, *moons, loss="cross_entropy")
    assert ("dead_relu", "3") in found(report)
    finding = report.findings[[f.kind for f in report.findings].index("dead_relu")]
    assert finding.value == 1.0 and "ReLU'(z) = 0" in finding.message


@pytest.mark.parametrize("activation, layer_kind", [(nn.Sigmoid, "Sigmoid"), (nn.Tanh, "Tanh")])
def test_saturated_units_from_large_weights(moons: tuple[np.ndarray, np.ndarray], activation: Any,
                                            layer_kind: str) -> None:
    cr.manual_seed(0)
    model = mlp(2, 2, activation, 1)
    nn.init.normal_(model[0].weight, std=30.0)
    report = cr.diagnose(model, *moons, loss="cross_entropy")
    assert ("saturated", "1") in found(report)
    assert report.layers[1].kind == layer_kind and report.layers[1].saturated_fraction > 0.9


def test_vanishing_gradients_in_a_deep_sigmoid_network(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    report = cr.diagnose(mlp(2, 2, nn.Sigmoid, 8), *moons, loss="cross_entropy")
    assert found(report) == [("vanishing_gradients", "0")]
    assert report.findings[0].value < 1e-4


def test_exploding_gradients_from_large_initial_weights(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    model = mlp(2, 2, nn.ReLU, 6)
    for name, parameter in model.named_parameters():
        if name.endswith("weight"):
            nn.init.normal_(parameter, std=1.0)
    report = cr.diagnose(model, *moons, loss="cross_entropy")
    assert ("exploding_gradients", "0") in found(report)


def test_unscaled_inputs_as_loaded() -> None:
    X, y = cr.data.load_dataset("wine")  # proline in the hundreds to thousands
    cr.manual_seed(0)
    report = cr.diagnose(mlp(13, 3, nn.ReLU, 1), X, y, loss="cross_entropy")
    assert ("unscaled_inputs", "0") in found(report)
    finding = report.findings[0]
    assert finding.details["feature"] == int(np.argmax(np.sqrt(np.mean(np.asarray(X, float) ** 2, axis=0))))
    assert "standardis" in finding.message


def test_unscaled_inputs_with_very_different_small_scales(moons: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = moons  # three features of scale 0.01 and one of scale 5: each rms below the size alarm
    X = np.column_stack([X * 0.01, X[:, :1] * 0.01, X[:, 1:] * 5]).astype(np.float32)
    report = cr.diagnose(mlp(4, 2, nn.ReLU, 1), X, y, loss="cross_entropy")
    assert found(report) == [("unscaled_inputs", "0")]


@pytest.mark.parametrize("last, loss", [(nn.Softmax(dim=1), "cross_entropy"),
                                        (nn.LogSoftmax(dim=1), nn.CrossEntropyLoss())])
def test_double_softmax(moons: tuple[np.ndarray, np.ndarray], last: Any, loss: Any) -> None:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2), last)
    assert found(cr.diagnose(model, *moons, loss=loss)) == [("double_softmax", "3")]


def test_double_softmax_written_in_forward(moons: tuple[np.ndarray, np.ndarray]) -> None:
    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hidden = nn.Linear(2, 8)
            self.out = nn.Linear(8, 2)

        def forward(self, x: Any) -> Any:
            return cr.softmax(self.out(cr.relu(self.hidden(x))), dim=1)

    cr.manual_seed(0)
    assert found(cr.diagnose(Net(), *moons, loss="cross_entropy")) == [("double_softmax", "")]


def test_sigmoid_before_logits_loss(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
    X, y = moons
    assert found(cr.diagnose(model, X, y.astype(np.float32), loss="bce_with_logits")) == [
        ("sigmoid_before_logits_loss", "3")]
    # The same network with BCELoss, which takes probabilities, is right.
    assert found(cr.diagnose(model, X, y.astype(np.float32), loss="bce")) == []


@pytest.mark.parametrize("outputs, loss", [(1, "cross_entropy"), (5, "cross_entropy"), (2, "bce_with_logits"),
                                           (3, "mse")])
def test_wrong_output_size(moons: tuple[np.ndarray, np.ndarray], outputs: int, loss: str) -> None:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, outputs))
    X, y = moons
    report = cr.diagnose(model, X, y if loss == "cross_entropy" else y.astype(np.float32), loss=loss)
    assert found(report) == [("wrong_output_size", "2")]
    assert report.findings[0].value == outputs
    assert any("not measured" in note for note in report.notes)


@pytest.mark.parametrize("optimizer, lr, direction", [("sgd", 50.0, "smaller"), ("adam", 1.0, "smaller"),
                                                      ("sgd", 1e-7, "larger"), ("adam", 1e-7, "larger")])
def test_learning_rate_far_from_healthy(moons: tuple[np.ndarray, np.ndarray], optimizer: str, lr: float,
                                        direction: str) -> None:
    cr.manual_seed(0)
    report = cr.diagnose(mlp(2, 2, nn.Tanh, 2), *moons, loss="cross_entropy", lr=lr, optimizer=optimizer)
    assert [f.kind for f in report.findings] == ["learning_rate"]
    finding = report.findings[0]
    assert finding.layer in {"0", "2", "4"}
    assert finding.value == max(s.update_ratio for s in report.layers if s.update_ratio is not None)
    assert f"a {direction} learning rate" in finding.message


def test_an_optimizer_object_is_judged_and_left_as_it_was(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    model = mlp(2, 2, nn.ReLU, 1)
    optimizer = cr.optim.Adam(model.parameters(), lr=2.0)
    cr.fit(model, *moons, loss="cross_entropy", optimizer=cr.optim.Adam(model.parameters(), lr=1e-3), epochs=1,
           verbose=False)
    weights = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    state = optimizer.state_dict()
    report = cr.diagnose(model, *moons, loss="cross_entropy", optimizer=optimizer)
    assert "learning_rate" in report.kinds
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.detach().numpy(), weights[key])
    assert optimizer.state_dict()["state"] == state["state"]
    assert all(p.grad is None for p in model.parameters())


def test_the_report_prints_a_table_and_the_findings(moons: tuple[np.ndarray, np.ndarray]) -> None:
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2), nn.Softmax(dim=1))
    text = str(cr.diagnose(model, *moons, loss="cross_entropy", lr=0.1))
    header = text.splitlines()[0].split()
    assert header[:3] == ["layer", "type", "units"] and "update/weight" in header
    assert [line.split()[:2] for line in text.splitlines()[1:5]] == [
        ["0", "Linear"], ["1", "ReLU"], ["2", "Linear"], ["3", "Softmax"]]
    assert "- double_softmax in layer '3'" in text


def test_bad_arguments_say_what_is_allowed(moons: tuple[np.ndarray, np.ndarray]) -> None:
    model = mlp(2, 2, nn.ReLU, 1)
    with pytest.raises(ValueError, match="sample must be a positive number"):
        cr.diagnose(model, *moons, loss="cross_entropy", sample=0)
    with pytest.raises(ValueError, match="X has 300 samples but y has 3"):
        cr.diagnose(model, moons[0], [0, 1, 0], loss="cross_entropy")
    with pytest.raises(ValueError, match="unknown loss"):
        cr.diagnose(model, *moons, loss="crossentropyy")


def test_a_trained_confident_network_raises_no_alarm(moons: tuple[np.ndarray, np.ndarray]) -> None:
    # Trained long, a network's output sigmoid sits in its tails (confident answers, which BCELoss reads
    # as p - y) and its hidden tanh units saturate on the easy points: neither is why a network cannot learn.
    X, y = moons
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
    target = y.reshape(-1, 1).astype(np.float32)
    cr.fit(model, X, target, loss="bce", optimizer="adam", lr=0.05, epochs=150, verbose=False, seed=0)
    probabilities = cr.train.predict(model, X)
    assert np.mean((probabilities > 0.99) | (probabilities < 0.01)) > 0.85  # the output really is saturated
    report = cr.diagnose(model, X, target, loss="bce", lr=0.01, optimizer="adam")
    assert report.findings == [], str(report)


def test_saturation_is_still_found_in_an_untrained_network_with_a_sigmoid_output(
        moons: tuple[np.ndarray, np.ndarray]) -> None:
    X, y = moons
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 1), nn.Sigmoid())
    nn.init.normal_(model[0].weight, std=20.0)
    report = cr.diagnose(model, X, y.reshape(-1, 1).astype(np.float32), loss="bce")
    assert ("saturated", "1") in found(report), str(report)
