"""The page's network, loss and optimiser as chainrule objects, and the same choices written as Python.

One table per choice: the model the server trains and the script the page exports are built from the
same entries, so they cannot disagree.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from chainrule import nn, optim
from chainrule.playground.problems import Problem
from chainrule.playground.settings import DEFAULTS

# page name -> (nn class name, constructor arguments)
ACTIVATION_LAYERS: dict[str, tuple[str, dict[str, Any]]] = {
    "tanh": ("Tanh", {}), "sigmoid": ("Sigmoid", {}), "relu": ("ReLU", {}),
    "leaky_relu": ("LeakyReLU", {"negative_slope": 0.1}), "linear": ("Identity", {}), "step": ("Step", {}),
}
# output setting -> (layer after the last Linear or None, loss class name, what the target is)
OUTPUT_LAYERS: dict[str, tuple[str | None, str, str]] = {
    "sigmoid_bce": ("Sigmoid", "BCELoss", "column of 0/1 floats"),
    "softmax_ce": (None, "CrossEntropyLoss", "class indices"),     # softmax is inside the loss (logits out)
    "linear_mse": (None, "MSELoss", "column of floats"),
    "linear_huber": (None, "HuberLoss", "column of floats"),
}


def output_count(output: str, problem: Problem) -> int:
    return problem.n_classes if output == "softmax_ce" else 1


def _arguments(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in arguments.items())


def layer_plan(s: dict[str, Any], n_inputs: int, n_outputs: int) -> list[tuple[str, dict[str, Any]]]:
    """``[(nn class name, arguments), ...]`` of the whole Sequential, first layer first."""
    plan: list[tuple[str, dict[str, Any]]] = []
    width = n_inputs
    for neurons, activation in zip(s["layers"], s["activations"], strict=True):
        plan.append(("Linear", {"in_features": width, "out_features": neurons}))
        plan.append(ACTIVATION_LAYERS[activation])
        width = neurons
    plan.append(("Linear", {"in_features": width, "out_features": n_outputs}))
    final = OUTPUT_LAYERS[s["output"]][0]
    if final:
        plan.append((final, {}))
    return plan


def build_model(plan: list[tuple[str, dict[str, Any]]]) -> nn.Sequential:
    return nn.Sequential(*(getattr(nn, name)(**arguments) for name, arguments in plan))


def build_loss(output: str) -> nn.Module:
    return getattr(nn, OUTPUT_LAYERS[output][1])()


def targets(y: np.ndarray, output: str) -> np.ndarray:
    """``y`` shaped as the loss wants it: class indices for cross-entropy, else a float column."""
    return y.astype(np.int64) if output == "softmax_ce" else y.astype(np.float32).reshape(-1, 1)


def build_optimizer(s: dict[str, Any], model: nn.Module) -> optim.Optimizer:
    if s["optimizer"] == "adam":
        return optim.Adam(model.parameters(), lr=s["lr"])
    return optim.SGD(model.parameters(), lr=s["lr"], momentum=0.9 if s["optimizer"] == "momentum" else 0.0)


def penalty(s: dict[str, Any], model: nn.Module) -> Any:
    """``lambda R(w)`` (weights only, as the notes: biases shift a threshold and are not penalised), or None."""
    if penalty_text(s) is None:
        return None
    term = nn.l1_penalty if s["regularization"] == "l1" else nn.l2_penalty
    return s["reg_rate"] * term(model, include_bias=False)


def batch_size(s: dict[str, Any], n_train: int) -> int:
    return {"full": n_train, "stochastic": 1}.get(s["batching"], min(s["batch_size"], n_train))


def script(s: dict[str, Any], plan: list[tuple[str, dict[str, Any]]], epochs: int, n_train: int) -> str:
    """A short Python script that rebuilds this network and trains it as the page did."""
    layers = "".join(f"    nn.{name}({_arguments(arguments)}),\n" for name, arguments in plan)
    loss_name = OUTPUT_LAYERS[s["output"]][1]
    optimizer = (f"cr.optim.Adam(model.parameters(), lr={s['lr']!r})" if s["optimizer"] == "adam" else
                 f"cr.optim.SGD(model.parameters(), lr={s['lr']!r}"
                 + (", momentum=0.9)" if s["optimizer"] == "momentum" else ")"))
    reg = "" if penalty_text(s) is None else f" + {penalty_text(s)}"
    settings = {k: v for k, v in s.items() if v != DEFAULTS[k] and k != "csv"}   # the page's changes only
    data_call = "dataset(settings)" if s["dataset"] != "csv" else 'dataset(settings, csv_path="data.csv")'
    check = ("accuracy = (predicted.argmax(dim=1) if predicted.shape[1] > 1 else (predicted[:, 0] > 0.5)).numpy()"
             " == y_test.reshape(-1)\n    print(f\"test accuracy {accuracy.mean():.3f}\")"
             if s["output"] in ("sigmoid_bce", "softmax_ce") else
             "print(f\"test loss {loss_fn(predicted, cr.tensor(y_test)).item():.4f}\")")
    return f'''"""The network built and trained in the chainrule playground, as a script.

Run it with: python {{this file}}   (it needs chainrule; the data is made by the playground's own code).
"""
import numpy as np

import chainrule as cr
from chainrule import nn
from chainrule.playground import dataset

settings = {settings!r}
X_train, y_train, X_test, y_test = {data_call}   # inputs: {", ".join(s["features"])}

cr.manual_seed({s["seed"]})
model = nn.Sequential(
{layers})
loss_fn = nn.{loss_name}()                        # targets: {OUTPUT_LAYERS[s["output"]][2]}
optimizer = {optimizer}
batch_size = {batch_size(s, n_train)}
order = np.random.default_rng({s["seed"]})

for epoch in range({max(epochs, 1)}):
    shuffled = order.permutation(len(X_train))
    for start in range(0, len(shuffled), batch_size):
        batch = shuffled[start:start + batch_size]
        optimizer.zero_grad()
        loss = loss_fn(model(cr.tensor(X_train[batch])), cr.tensor(y_train[batch])){reg}
        loss.backward()
        optimizer.step()

with cr.no_grad():
    predicted = model(cr.tensor(X_test))
    {check}
cr.save(model, "playground-model.safetensors")
'''


def penalty_text(s: dict[str, Any]) -> str | None:
    if s["regularization"] == "none" or s["reg_rate"] == 0:
        return None
    return f"{s['reg_rate']!r} * nn.{s['regularization']}_penalty(model, include_bias=False)"


__all__ = ["ACTIVATION_LAYERS", "OUTPUT_LAYERS", "build_loss", "build_model", "build_optimizer", "layer_plan",
           "penalty", "script", "targets"]
