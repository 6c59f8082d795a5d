"""cr.viz plots: each returns a Figure with the expected artists, saves a real PNG/SVG, computes its
curves with the autograd engine (checked against torch), and refuses unknown names, listing valid ones."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from matplotlib.collections import LineCollection  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule import viz  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def _close_figures() -> object:
    yield
    plt.close("all")


def _saves_png(fig: Figure, tmp_path: Path, name: str = "figure") -> None:
    path = tmp_path / f"{name}.png"
    fig.savefig(path)
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC) and len(data) > 5_000


# -- activations ----------------------------------------------------------------------------------------
TORCH_ACTIVATIONS = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.1),
    "elu": torch.nn.functional.elu,
    "softplus": torch.nn.functional.softplus,
    "gelu": torch.nn.functional.gelu,
    "step": lambda z: (z > 0).to(z.dtype) + 0 * z,  # torch has no derivative for heaviside
}


@pytest.mark.parametrize("name", sorted(TORCH_ACTIVATIONS))
def test_activation_values_and_autograd_derivatives_match_torch(name: str) -> None:
    z = np.linspace(-4, 4, 81)
    z = z[np.abs(z) > 1e-9]  # the kinks of relu/step at 0 are conventions, not values to compare
    value, slope = viz.activation_and_derivative(name, z)
    z_torch = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    out = TORCH_ACTIVATIONS[name](z_torch)
    out.sum().backward()
    np.testing.assert_allclose(value, out.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(slope, z_torch.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_notes_derivatives_at_chosen_points() -> None:
    _, slope = viz.activation_and_derivative("sigmoid", [0.0])
    assert slope[0] == pytest.approx(0.25)  # sigma(0)(1 - sigma(0))
    _, slope = viz.activation_and_derivative("leaky_relu", [-2.0, 3.0])
    assert slope.tolist() == pytest.approx([0.1, 1.0])  # alpha = 0.1 as in the notes
    _, slope = viz.activation_and_derivative("tanh", [0.0])
    assert slope[0] == pytest.approx(1.0)


@pytest.mark.parametrize("name", sorted(viz.ACTIVATIONS))
def test_plot_activation_figure(name: str, tmp_path: Path) -> None:
    fig = viz.plot_activation(name)
    assert isinstance(fig, Figure)
    left, right = fig.axes
    assert left.get_title() == name
    assert right.get_title() == f"{name}' (by autograd)"
    curve = left.get_lines()[0]
    assert len(curve.get_xdata()) == 401
    assert left.get_xlabel() == "z" and right.get_ylabel() == "g'(z)"
    _saves_png(fig, tmp_path, name)


def test_step_jump_is_a_gap_not_a_vertical_line() -> None:
    fig = viz.plot_activation("step")
    y = np.asarray(fig.axes[0].get_lines()[0].get_ydata(), dtype=float)
    assert np.isnan(y).sum() == 1
    assert set(np.unique(y[~np.isnan(y)]).tolist()) == {0.0, 1.0}


def test_unknown_activation_lists_the_valid_names() -> None:
    with pytest.raises(ValueError, match="unknown activation 'swish'; valid names: elu, gelu, leaky_relu"):
        viz.plot_activation("swish")
    with pytest.raises(ValueError, match="low < high"):
        viz.plot_activation("relu", z_range=(2, 1))


# -- losses ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "torch_loss"), [
    ("l1", lambda p, t: torch.nn.functional.l1_loss(p, t, reduction="none")),
    ("l2", lambda p, t: torch.nn.functional.mse_loss(p, t, reduction="none")),
    ("huber", lambda p, t: torch.nn.functional.huber_loss(p, t, reduction="none", delta=0.7)),
])
def test_regression_losses_match_torch(name: str, torch_loss: object) -> None:
    prediction = np.linspace(-3, 3, 61) + 0.013  # avoid the kink of |r| at exactly 0
    loss, slope = viz.loss_and_derivative(name, prediction, target=0.5, delta=0.7)
    p = torch.tensor(prediction, requires_grad=True)
    expected = torch_loss(p, torch.full_like(p, 0.5))  # type: ignore[operator]
    expected.sum().backward()
    np.testing.assert_allclose(loss, expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(slope, p.grad.numpy(), rtol=1e-12)


def test_bce_and_the_notes_derivative() -> None:
    prediction = np.array([0.2, 0.5, 0.9])
    loss, slope = viz.loss_and_derivative("bce", prediction, target=1.0)
    np.testing.assert_allclose(loss, -np.log(prediction))
    np.testing.assert_allclose(slope, -1 / prediction)  # -y/a + (1-y)/(1-a) at y = 1
    _, slope0 = viz.loss_and_derivative("bce", prediction, target=0.0)
    np.testing.assert_allclose(slope0, 1 / (1 - prediction))


@pytest.mark.parametrize(("name", "n_curves"), [("l1", 1), ("l2", 1), ("huber", 1), ("bce", 2)])
def test_plot_loss_figure(name: str, n_curves: int, tmp_path: Path) -> None:
    fig = viz.plot_loss(name)
    left, right = fig.axes
    assert left.get_title().startswith(f"{name} loss")
    assert right.get_title() == f"{name} derivative (by autograd)"
    data_lines = [line for line in left.get_lines() if len(line.get_xdata()) == 401]
    assert len(data_lines) == n_curves
    _saves_png(fig, tmp_path, name)


def test_loss_errors() -> None:
    with pytest.raises(ValueError, match="unknown loss 'hinge'; valid names: bce, huber, l1, l2"):
        viz.plot_loss("hinge")
    with pytest.raises(ValueError, match=r"inside \(0, 1\)"):
        viz.plot_loss("bce", prediction_range=(-1.0, 0.5))
    with pytest.raises(ValueError, match="delta must be positive"):
        viz.loss_and_derivative("huber", [0.0], 1.0, delta=0)


# -- gradient descent -----------------------------------------------------------------------------------
def test_notes_gradient_descent_paths() -> None:
    # x := x - lr * 2x = (1 - 2 lr) x: factor 0.4 for lr = 0.3, -2 for lr = 1.5
    converging = viz.gradient_descent_path(lambda x: x**2, x0=1.0, lr=0.3, steps=10)
    np.testing.assert_allclose(converging, 0.4 ** np.arange(11), rtol=1e-12)
    diverging = viz.gradient_descent_path(lambda x: x**2, x0=1.0, lr=1.5, steps=10)
    np.testing.assert_allclose(diverging, (-2.0) ** np.arange(11), rtol=1e-12)


@pytest.mark.parametrize(("lr", "verdict"), [(0.3, "converges"), (1.5, "diverges")])
def test_plot_gradient_descent(lr: float, verdict: str, tmp_path: Path) -> None:
    fig = viz.plot_gradient_descent(lambda x: x**2, x0=1.0, lr=lr, steps=8)
    path_ax, steps_ax = fig.axes
    assert path_ax.get_title().endswith(verdict)
    curve, points = path_ax.get_lines()[:2]
    assert len(points.get_xdata()) == 9
    assert steps_ax.get_yscale() == "log"
    _saves_png(fig, tmp_path)


def test_gradient_descent_errors() -> None:
    with pytest.raises(ValueError, match="learning rate alpha"):
        viz.gradient_descent_path(lambda x: x**2, 1.0, lr=0.0, steps=3)
    with pytest.raises(TypeError, match="one-element tensor"):
        viz.gradient_descent_path(lambda x: cr.stack([x, x]), 1.0, lr=0.1, steps=3)


# -- history and confusion matrix -------------------------------------------------------------------------
def test_plot_history_panels_and_lines(tmp_path: Path) -> None:
    history = cr.History()
    for epoch, (loss, val, acc) in enumerate([(1.0, 1.2, 0.5), (0.5, 0.8, 0.7), (0.3, 0.7, 0.9)]):
        history.on_epoch_end(epoch, {"accuracy": acc, "loss": loss, "val_loss": val})
    fig = viz.plot_history(history)
    loss_ax, acc_ax = fig.axes
    assert [loss_ax.get_title(), acc_ax.get_title()] == ["loss", "accuracy"]  # the loss comes first
    train, validation = loss_ax.get_lines()
    assert train.get_ydata().tolist() == [1.0, 0.5, 0.3]
    assert train.get_xdata().tolist() == [1, 2, 3]
    assert validation.get_linestyle() == "--"
    assert len(acc_ax.get_lines()) == 1
    _saves_png(fig, tmp_path)


def test_plot_history_errors() -> None:
    with pytest.raises(ValueError, match="no values recorded for \\['accuracy'\\]; recorded: loss"):
        viz.plot_history({"loss": [1.0]}, metrics=["accuracy"])
    with pytest.raises(ValueError, match="empty"):
        viz.plot_history({"loss": []})
    with pytest.raises(TypeError, match="expected a History"):
        viz.plot_history(3)


def test_plot_confusion_matrix_counts_like_sklearn(tmp_path: Path) -> None:
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 4, 200)
    y_pred = np.where(rng.random(200) < 0.7, y_true, rng.integers(0, 4, 200))
    fig = viz.plot_confusion_matrix(y_true, y_pred)
    ax = fig.axes[0]
    expected = confusion_matrix(y_true, y_pred)
    np.testing.assert_array_equal(ax.images[0].get_array(), expected)
    assert [t.get_text() for t in ax.texts] == [str(v) for v in expected.ravel()]
    assert ax.get_title() == f"Confusion matrix (accuracy {np.mean(y_true == y_pred):.2f})"
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    _saves_png(fig, tmp_path)


def test_confusion_matrix_normalized_and_labels() -> None:
    fig = viz.plot_confusion_matrix([0, 0, 1, 1], [0, 1, 1, 1], labels=["cat", "dog"], normalize=True)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == ["0.50", "0.50", "0.00", "1.00"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    with pytest.raises(ValueError, match="2 labels given for 3 classes|num_classes=2 but label 2"):
        viz.plot_confusion_matrix([0, 1, 2], [0, 1, 2], labels=["a", "b"])


# -- decision boundary ------------------------------------------------------------------------------------
class _AboveDiagonal:
    def predict(self, X: np.ndarray) -> np.ndarray:
        return (X[:, 1] > X[:, 0]).astype(int)


def test_decision_boundary_of_a_predict_only_model(tmp_path: Path) -> None:
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.2, 0.9], [0.8, 0.1]])
    y = np.array([1, 0, 1, 0])
    fig = viz.plot_decision_boundary(_AboveDiagonal(), X, y, resolution=60)
    ax = fig.axes[0]
    assert len(fig.axes) == 1  # hard classes: no probability colour bar
    assert ax.get_title() == "Decision boundary"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["class 0", "class 1"]
    _saves_png(fig, tmp_path)


def test_decision_boundary_of_a_module_uses_probabilities(tmp_path: Path) -> None:
    model = cr.nn.Sequential(cr.nn.Linear(2, 1), cr.nn.Sigmoid())
    with cr.no_grad():
        model[0].weight.copy_(cr.tensor([[1.0, 1.0]]))
        model[0].bias.fill_(-1.0)
    X, y = cr.data.logic_gate("or")
    fig = viz.plot_decision_boundary(model, X, y, resolution=50)
    assert len(fig.axes) == 2  # the plot and its colour bar P(class 1)
    assert fig.axes[1].get_ylabel() == "P(class 1)"
    classes, p1 = viz.predict_grid(model, np.array([[0.0, 0.0], [1.0, 1.0]]))
    np.testing.assert_allclose(p1, 1 / (1 + np.exp([1.0, -1.0])), rtol=1e-6)
    assert classes.tolist() == [0, 1]
    _saves_png(fig, tmp_path)


def test_logits_are_turned_into_probabilities() -> None:
    model = cr.nn.Linear(2, 1)
    with cr.no_grad():
        model.weight.copy_(cr.tensor([[4.0, 0.0]]))
        model.bias.fill_(0.0)
    _, p1 = viz.predict_grid(model, np.array([[-1.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_allclose(p1, 1 / (1 + np.exp([4.0, -4.0])), rtol=1e-6)


def test_multiclass_boundary_draws_regions() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    y = np.array([0, 1, 2])

    class Nearest:
        def predict(self, points: np.ndarray) -> np.ndarray:
            return np.argmin(((points[:, None, :] - X[None]) ** 2).sum(-1), axis=1)

    fig = viz.plot_decision_boundary(Nearest(), X, y, resolution=40, class_names=["a", "b", "c"])
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b", "c"]
    assert len(ax.collections) == 2 + 3  # filled regions, boundary lines, one scatter per class


def test_decision_boundary_errors() -> None:
    with pytest.raises(ValueError, match=r"shape \(n_samples, 2\).*got shape \(4, 3\)"):
        viz.plot_decision_boundary(_AboveDiagonal(), np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="X has 2 rows but y has 3 labels"):
        viz.plot_decision_boundary(_AboveDiagonal(), np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(TypeError, match="cannot get predictions from object"):
        viz.plot_decision_boundary(object(), np.zeros((2, 2)), np.zeros(2))


def test_plot_data_scatters_each_class(tmp_path: Path) -> None:
    X, y = cr.data.xor()
    fig = viz.plot_data(X, y, title="XOR")
    ax = fig.axes[0]
    assert ax.get_title() == "XOR"
    assert len(ax.collections) == 2
    _saves_png(fig, tmp_path)


# -- network ----------------------------------------------------------------------------------------------
def test_plot_network_of_the_notes_xor_net(tmp_path: Path) -> None:
    model = cr.nn.Sequential(cr.nn.Linear(2, 2), cr.nn.Sigmoid(), cr.nn.Linear(2, 1), cr.nn.Sigmoid())
    with cr.no_grad():
        model[0].weight.copy_(cr.tensor([[-20.0, 30.0], [30.0, -20.0]]))
        model[0].bias.copy_(cr.tensor([-20.0, -20.0]))
        model[2].weight.copy_(cr.tensor([[30.0, 30.0]]))
        model[2].bias.copy_(cr.tensor([-20.0]))
    fig = viz.plot_network(model)
    ax = fig.axes[0]
    assert ax.get_title() == "Network 2-2-1"
    layers = [c for c in ax.collections if isinstance(c, LineCollection)]
    assert len(layers) == 2 and len(layers[0].get_segments()) == 4 and len(layers[1].get_segments()) == 2
    widths = layers[0].get_linewidths()
    assert widths[0] < widths[1]  # |-20| is drawn thinner than |30|
    colours = layers[0].get_colors()
    assert colours[0][0] > colours[0][2] and colours[1][2] > colours[1][0]  # red negative, blue positive
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("30") == 4 and texts.count("-20") == 5  # weights on lines, biases in neurons
    assert "hidden 1\n(2, Sigmoid)" in texts
    _saves_png(fig, tmp_path)
    fig.savefig(tmp_path / "network.svg")
    assert (tmp_path / "network.svg").read_text().lstrip().startswith("<?xml")


def test_plot_network_errors() -> None:
    with pytest.raises(ValueError, match="a layer has 30 neurons.*cr.summary"):
        viz.plot_network(cr.nn.Sequential(cr.nn.Linear(2, 30), cr.nn.ReLU(), cr.nn.Linear(30, 1)))
    with pytest.raises(TypeError, match="found no layer with a 2-D weight in ReLU"):
        viz.plot_network(cr.nn.ReLU())


# -- packaging --------------------------------------------------------------------------------------------
def test_import_chainrule_does_not_import_matplotlib() -> None:
    code = ("import sys, chainrule as cr; assert 'matplotlib' not in sys.modules; "
            "cr.viz.draw_graph(cr.tensor(1.0)); assert 'matplotlib' not in sys.modules; "
            "cr.viz.plot_activation('relu'); import matplotlib; print(matplotlib.get_backend())")
    env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "MPLBACKEND", "WAYLAND_DISPLAY"}}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().lower() == "agg"  # no display: the Agg backend is chosen


def test_two_logit_module_is_shown_as_softmax_probability() -> None:
    model = cr.nn.Linear(2, 2)
    with cr.no_grad():
        model.weight.copy_(cr.tensor([[0.0, 0.0], [2.0, 0.0]]))
        model.bias.fill_(0.0)
    classes, p1 = viz.predict_grid(model, np.array([[-1.0, 0.0], [1.0, 0.0]]))
    np.testing.assert_allclose(p1, [1 / (1 + np.exp(2.0)), 1 / (1 + np.exp(-2.0))], rtol=1e-6)
    assert classes.tolist() == [0, 1]


def test_perceptron_boundary_is_the_line_where_its_score_is_zero() -> None:
    X, y = cr.data.logic_gate("and")
    perceptron = cr.Perceptron(2, seed=0).fit(X, y)
    fig = viz.plot_decision_boundary(perceptron, X, y, resolution=30)
    line = fig.axes[0].collections[1]  # drawn after the filled regions
    assert list(line.levels) == [0.0]  # w.x + b = 0, a smooth line rather than grid steps


def test_plot_network_of_a_perceptron() -> None:
    X, y = cr.data.logic_gate("or")
    fig = viz.plot_network(cr.Perceptron(2, seed=0).fit(X, y))
    ax = fig.axes[0]
    assert ax.get_title() == "Network 2-1"
    assert "output\n(1, step)" in [t.get_text() for t in ax.texts]


def test_figures_are_released_by_pyplot_unless_the_caller_owns_them() -> None:
    fig = viz.plot_activation("tanh")
    assert fig.number not in plt.get_fignums()  # Agg: nothing to show, so pyplot keeps no reference
    owned, ax = plt.subplots()
    assert viz.plot_data([[0.0, 1.0], [1.0, 0.0]], [0, 1], ax=ax) is owned
    assert owned.number in plt.get_fignums()
