"""The one name registry of activations and losses, and everything that reads names from it: ``fit``,
the command line, the scikit-learn estimators, ``explain`` and the model-file architecture table."""

from __future__ import annotations

import doctest
import re
from typing import Any

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.cli import options
from chainrule.io import REGISTRY as ARCHITECTURE
from chainrule.nn import registry
from chainrule.nn.registry import ACTIVATIONS, HIDDEN_ACTIVATIONS, LOSSES
from chainrule.sklearn import MLPClassifier

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# Written out here, not read from the registry: what each name must mean.
ACTIVATION_CLASSES = {
    "relu": nn.ReLU, "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "logsig": nn.Sigmoid, "logistic": nn.Sigmoid,
    "leaky_relu": nn.LeakyReLU, "elu": nn.ELU, "gelu": nn.GELU, "softplus": nn.Softplus,
    "logsigmoid": nn.LogSigmoid, "log_sigmoid": nn.LogSigmoid, "identity": nn.Identity, "linear": nn.Identity,
    "step": nn.Step, "heaviside": nn.Step, "softmax": nn.Softmax, "log_softmax": nn.LogSoftmax,
    "logsoftmax": nn.LogSoftmax,
}
LOSS_CLASSES = {
    "cross_entropy": nn.CrossEntropyLoss, "crossentropy": nn.CrossEntropyLoss, "mse": nn.MSELoss,
    "mean_squared_error": nn.MSELoss, "mse_loss": nn.MSELoss, "l1": nn.L1Loss, "mae": nn.L1Loss,
    "mean_absolute_error": nn.L1Loss, "l1_loss": nn.L1Loss, "huber": nn.HuberLoss, "huber_loss": nn.HuberLoss,
    "nll": nn.NLLLoss, "nll_loss": nn.NLLLoss, "bce": nn.BCELoss, "binary_cross_entropy": nn.BCELoss,
    "bce_with_logits": nn.BCEWithLogitsLoss, "binary_cross_entropy_with_logits": nn.BCEWithLogitsLoss,
}
# Trainable between Linear layers: elementwise, with a useful derivative (not step, not softmax).
HIDDEN = {name for name, cls in ACTIVATION_CLASSES.items() if cls not in (nn.Step, nn.Softmax, nn.LogSoftmax)}


def test_every_name_and_alias_resolves_to_its_module() -> None:
    assert {name: entry.module for name, entry in ACTIVATIONS.items()} == ACTIVATION_CLASSES
    assert {name: entry.module for name, entry in LOSSES.items()} == LOSS_CLASSES
    assert set(HIDDEN_ACTIVATIONS) == HIDDEN
    assert ACTIVATIONS.find("LogSig").name == "sigmoid" and LOSSES.find("BCE-With-Logits").name == "bce_with_logits"
    assert isinstance(ACTIVATIONS["linear"](), nn.Identity)
    assert ACTIVATIONS["leaky_relu"](negative_slope=0.2).negative_slope == 0.2


def test_an_unknown_name_lists_every_valid_one() -> None:
    with pytest.raises(ValueError) as error:
        LOSSES.lookup("hinge", "fit")
    listed = re.findall(r"'(\w+)'", str(error.value).split("valid names:")[1])
    assert str(error.value).startswith("fit: unknown loss 'hinge'") and listed == sorted(LOSS_CLASSES)
    with pytest.raises(ValueError, match=r"registry: the activation name 'relu' is given twice"):
        registry.Names("activation", [*ACTIVATIONS.entries, registry.Activation("relu", nn.ReLU)])


def test_takes_class_indices_is_an_attribute_of_the_loss() -> None:
    indices = {cls.__name__ for cls in set(LOSS_CLASSES.values()) if cls.takes_class_indices}
    assert indices == {"CrossEntropyLoss", "NLLLoss"}
    F = nn.functional
    assert registry.takes_class_indices(F.cross_entropy) and registry.takes_class_indices(nn.NLLLoss())
    assert not registry.takes_class_indices(F.mse_loss) and not registry.takes_class_indices(lambda out, y: out)

    class Ranking(nn.MSELoss):  # a loss of your own says so itself
        takes_class_indices = True

    assert registry.takes_class_indices(Ranking())


# -- each consumer accepts exactly the registry's names ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(LOSS_CLASSES))
def test_fit_accepts_every_loss_name(name: str) -> None:
    cr.manual_seed(0)
    cls = LOSS_CLASSES[name]
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]])
    if cls.takes_class_indices:
        last: list[nn.Module] = [nn.LogSoftmax(dim=1)] if cls is nn.NLLLoss else []
        model, y = nn.Sequential(nn.Linear(2, 2), *last), np.array([0, 1, 1, 0])
    else:
        last = [nn.Sigmoid()] if cls is nn.BCELoss else []
        model, y = nn.Sequential(nn.Linear(2, 1), *last), np.array([0.0, 1.0, 1.0, 0.0])
    history = cr.fit(model, X, y, loss=name, optimizer="sgd", epochs=1, verbose=False)
    assert history.params["loss"] == cls.__name__


def test_fit_refuses_an_unknown_loss_listing_the_valid_names() -> None:
    with pytest.raises(ValueError, match=r"fit: unknown loss 'hinge'; valid names: 'bce', .*'nll_loss'.*"
                                         r"or pass a loss module such as cr.nn.MSELoss\(\)"):
        cr.fit(nn.Linear(2, 1), np.zeros((4, 2)), np.zeros(4), loss="hinge", optimizer="sgd", epochs=1)


def test_the_command_line_accepts_the_registry_names_and_stores_the_main_name() -> None:
    activation, loss = options.TRAIN_OPTIONS["activation"].check, options.TRAIN_OPTIONS["loss"].check
    for name in ACTIVATION_CLASSES:
        if name in HIDDEN:
            assert ACTIVATION_CLASSES[activation(name.upper(), "--activation")] is ACTIVATION_CLASSES[name]
        else:
            with pytest.raises(ValueError, match="--activation must be one of relu, tanh, sigmoid"):
                activation(name, "--activation")
    # the network gives one logit per class or the values: losses of logits + class labels, or of values
    cli_losses = {"cross_entropy", "crossentropy", "mse", "mean_squared_error", "mse_loss", "l1", "mae",
                  "mean_absolute_error", "l1_loss", "huber", "huber_loss"}
    for name in LOSS_CLASSES:
        if name in cli_losses:
            assert LOSS_CLASSES[loss(name, "--loss")] is LOSS_CLASSES[name]
        else:
            with pytest.raises(ValueError, match="--loss must be one of auto, cross_entropy, mse, l1, huber;"):
                loss(name, "--loss")
    assert loss("auto", "--loss") == "auto"


def test_the_command_line_trains_with_an_alias(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from chainrule.cli import main

    monkeypatch.chdir(tmp_path)
    code = main(["train", "--dataset", "xor", "--activation", "logsig", "--loss", "crossentropy", "--epochs", "2",
                 "--hidden", "3", "--quiet", "--out", "m.safetensors", "--plot", "b.png"])
    assert code == 0
    saved = cr.io.read_model(tmp_path / "m.safetensors")
    assert [type(m).__name__ for m in saved.model] == ["Linear", "Sigmoid", "Linear"]
    assert saved.metadata["loss"] == "cross_entropy"
    assert saved.metadata["training"]["settings"]["activation"] == "sigmoid"


@pytest.mark.parametrize("name", sorted(ACTIVATION_CLASSES))
def test_the_estimators_accept_exactly_the_hidden_activations(name: str) -> None:
    X, y = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]] * 3), np.array([0, 1, 1, 0] * 3)
    estimator = MLPClassifier((3,), activation=name, solver="lbfgs", max_iter=5, random_state=0)
    if name not in HIDDEN:
        with pytest.raises(ValueError, match=r"'activation' parameter must be one of 'elu', 'gelu', .*'logsig'"):
            estimator.fit(X, y)
        return
    module = estimator.fit(X, y).to_module()
    assert type(module[1]) is ACTIVATION_CLASSES[name]
    back = MLPClassifier.from_module(module, classes=[0, 1])
    sklearn_word = {"Sigmoid": "logistic", "Identity": "identity"}.get(type(module[1]).__name__)
    assert back.activation == (sklearn_word or ACTIVATIONS[name].name)


@pytest.mark.parametrize("name", sorted(ACTIVATION_CLASSES))
def test_explain_accepts_every_elementwise_activation(name: str) -> None:
    if ACTIVATION_CLASSES[name] in (nn.Softmax, nn.LogSoftmax):
        with pytest.raises(ValueError, match=rf"Unknown activation '{name}'; use one of 'elu', .*'logsig'"):
            cr.explain.neuron([1.0, 1.0], threshold=0.5, activation=name)
        return
    model = cr.explain.neuron([1.0, 1.0], threshold=0.5, activation=name)
    assert type(model[1]) is ACTIVATION_CLASSES[name]


def test_the_architecture_table_holds_exactly_the_existing_layers() -> None:
    activations = {cls.__name__ for cls in ACTIVATION_CLASSES.values()}
    assert set(ARCHITECTURE) == activations | {"Linear", "Flatten", "Dropout"}
    assert all(isinstance(getattr(nn, name, None), type) for name in ARCHITECTURE)  # no table entry without a layer
    assert ARCHITECTURE["LeakyReLU"].arguments == ("negative_slope", "inplace")
    assert ARCHITECTURE["Identity"].arguments == ()


def test_registry_docstring_examples() -> None:
    result = doctest.testmod(registry, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
