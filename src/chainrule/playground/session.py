"""One page's training session: its data, its network, its optimiser, and what the page draws.

Training runs in chainrule's engine (``nn``, ``optim``, the autograd ``backward``); the page only draws.
A *frame* is everything drawn at one moment: the output over a 100x100 grid of the plane (the decision
boundary), every input's and neuron's map on a 50x50 grid, the weights with their last gradients, the
epoch, the losses and accuracies, and the warnings.
"""

from __future__ import annotations

import base64
import os
import tempfile
import threading
import time
import warnings
from typing import Any

import numpy as np

import chainrule as cr
from chainrule import explain
from chainrule.compiler import CompiledFunction, CompileWarning
from chainrule.playground import network
from chainrule.playground.csv_data import CsvData
from chainrule.playground.health import HealthCheck, training_warnings
from chainrule.playground.problems import CLASSIFICATION, Problem, build, feature_matrix
from chainrule.playground.settings import outputs_for, validate

# cr.manual_seed sets one generator shared by every session; building a model under this lock keeps
# "same seed, same initial weights" true with several tabs open.
_SEED_LOCK = threading.Lock()
BOUNDARY_SIZE = 100
MAP_STRIDE = 2          # neuron thumbnails: every second grid point (50x50)
TRAINING_SETTINGS = ("lr", "optimizer", "batching", "batch_size", "regularization", "reg_rate")


def _bytes(values: np.ndarray) -> str:
    clean = np.clip(np.nan_to_num(values, nan=0.0, posinf=255, neginf=0), 0, 255)
    return base64.b64encode(np.ascontiguousarray(clean, dtype=np.uint8).tobytes()).decode("ascii")


def _signed_map(values: np.ndarray) -> tuple[str, float]:
    """A map in [-scale, scale] as bytes 1..255 (128 = 0), and its scale."""
    finite = np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0)
    scale = float(np.abs(finite).max(initial=0.0)) or 1.0
    return _bytes(np.round(128 + 127 * finite / scale)), scale


def _round(values: np.ndarray) -> Any:
    return np.round(np.nan_to_num(values.astype(np.float64), nan=0.0), 5).tolist()


def resolve_output(s: dict[str, Any], problem: Problem) -> list[str]:
    """Set ``s['output']`` to one that fits the problem; return a notice when the page's choice did not."""
    allowed = outputs_for(problem.kind, problem.n_classes)
    notices = []
    if s["output"] != "auto" and s["output"] not in allowed:
        notices.append(f"output {s['output']} does not fit a {problem.kind} problem with "
                       f"{problem.n_classes or 'no'} classes; using {allowed[0]} (allowed: {', '.join(allowed)})")
    if s["output"] not in allowed:
        s["output"] = allowed[0]
    return notices


def dataset(settings: dict[str, Any], csv_path: str | None = None) -> tuple[np.ndarray, ...]:
    """``X_train, y_train, X_test, y_test`` exactly as a playground page with ``settings`` trains on them:
    the chosen features, targets shaped for the chosen loss (used by the exported script).

    >>> X_train, y_train, X_test, y_test = dataset({"dataset": "xor", "features": ["x1", "x2", "x1*x2"]})
    >>> X_train.shape[1], y_train.shape[1]
    (3, 1)
    """
    s = validate(settings)
    problem = build(s, CsvData.from_path(csv_path) if csv_path else None)
    resolve_output(s, problem)
    return (feature_matrix(problem.X_train, s["features"]), network.targets(problem.y_train, s["output"]),
            feature_matrix(problem.X_test, s["features"]), network.targets(problem.y_test, s["output"]))


class Session:
    """The state behind one page. Not thread-safe: the server calls it from one task at a time."""

    def __init__(self, csv_files: dict[str, CsvData] | None = None, use_compile: bool = True) -> None:
        self.csv_files = csv_files if csv_files is not None else {}
        self.notices: list[str] = []
        self.requested: dict[str, Any] | None = None
        self.settings: dict[str, Any] = {}
        self.model: cr.nn.Sequential = cr.nn.Sequential()
        self.inputs_train = np.zeros((0, 0), np.float32)
        self.use_compile = use_compile
        self.configure({})

    # ------------------------------------------------------------------ setting up
    def configure(self, raw: Any) -> None:
        """Apply the page's settings (all checked first: a refused setting changes nothing).

        A change of the training settings only (learning rate, optimiser, batches, regularisation) keeps
        the network's weights and its history: it takes effect from the next step, as on a real run.
        """
        s = validate(raw)
        previous = self.requested
        if previous is not None and all(s[k] == previous[k] for k in s if k not in TRAINING_SETTINGS):
            self.requested = dict(s)
            self.settings.update({k: s[k] for k in TRAINING_SETTINGS})
            self.optimizer = network.build_optimizer(self.settings, self.model)
            self.batch_size = network.batch_size(self.settings, len(self.inputs_train))
            self._new_update()
            return
        problem = build(s, self.csv_files.get(s["csv"]) if s["dataset"] == "csv" else None)
        self.requested = dict(s)
        self.notices = problem.notices + resolve_output(s, problem)
        self.settings, self.problem = s, problem
        self.inputs_train = feature_matrix(problem.X_train, s["features"])
        self.inputs_test = feature_matrix(problem.X_test, s["features"])
        self.targets_train = network.targets(problem.y_train, s["output"])
        self.targets_test = network.targets(problem.y_test, s["output"])
        self.input_names = list(s["features"]) + problem.extra_names
        self.plan = network.layer_plan(s, self.inputs_train.shape[1], network.output_count(s["output"], problem))
        self.reset()

    def reset(self) -> None:
        """New initial weights (from the seed), a new optimiser, epoch 0."""
        s = self.settings
        with _SEED_LOCK:
            cr.manual_seed(s["seed"])
            self.model = network.build_model(self.plan)
        self.loss_fn = network.build_loss(s["output"])
        self.optimizer = network.build_optimizer(s, self.model)
        self.batch_size = network.batch_size(s, len(self.inputs_train))
        self.order_rng = np.random.default_rng(s["seed"])
        self.order = np.arange(0)
        self.cursor = 0
        self.epoch = self.steps = 0
        self.history: dict[str, list[float | None]] = {"train_loss": [], "test_loss": [], "train_acc": [],
                                                         "test_acc": []}
        self.error: str | None = None
        self.warnings: list[str] = []
        self._new_update()
        self._record()

    def _new_update(self) -> None:
        """A compiled update for this model, loss, optimiser and penalty (a compiled step replays the calls
        of the optimiser it was traced with, so a new optimiser needs a new one), and a new health check."""
        self.compiled: CompiledFunction | None = cr.compile(self._update) if self.use_compile else None
        self.compile_note: str | None = None
        self.health = HealthCheck()

    # ------------------------------------------------------------------ training
    @np.errstate(all="ignore")          # a diverging run is shown on the page as a warning, not on the console
    def step(self) -> bool:
        """One update on the next (mini-)batch; True when it completed an epoch."""
        if self.cursor >= len(self.order):
            self.order, self.cursor = self.order_rng.permutation(len(self.inputs_train)), 0
        batch = self.order[self.cursor:self.cursor + self.batch_size]
        self.cursor += len(batch)
        inputs, target = cr.tensor(self.inputs_train[batch]), cr.tensor(self.targets_train[batch])
        try:
            if self.compiled is None:
                self._update(inputs, target)
            else:
                self._compiled_update(inputs, target)
        except RuntimeError as error:         # a Step layer: the engine says why it cannot backpropagate
            self.error = str(error)
            return False
        self.steps += 1
        if self.cursor >= len(self.order):
            self.epoch += 1
            self._record()
            return True
        return False

    def _update(self, inputs: cr.Tensor, target: cr.Tensor) -> None:
        """One training step, as the exported script writes it: the function ``cr.compile`` records."""
        self.optimizer.zero_grad()
        loss = self.loss_fn(self.model(inputs), target)
        extra = network.penalty(self.settings, self.model)
        (loss if extra is None else loss + extra).backward()
        self.optimizer.step()

    def _compiled_update(self, inputs: cr.Tensor, target: cr.Tensor) -> None:
        """The step through ``cr.compile`` (the same numbers, less Python per step); when it says it cannot
        replay this step (a ``CompileWarning``), this session trains eagerly from then on and says why."""
        assert self.compiled is not None
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", CompileWarning)
            self.compiled(inputs, target)
        for warning in caught:
            if issubclass(warning.category, CompileWarning):
                self.compiled, self.compile_note = None, str(warning.message)
            else:
                warnings.warn_explicit(warning.message, warning.category, warning.filename, warning.lineno)

    def run_epoch(self) -> None:
        while not self.step() and self.error is None:
            pass

    def train_for(self, seconds: float) -> None:
        """Train until ``seconds`` have passed (at least one step), stopping at an error."""
        end = time.perf_counter() + seconds
        while self.error is None:
            self.step()
            if time.perf_counter() >= end:
                return

    # ------------------------------------------------------------------ measuring
    def _forward(self, inputs: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """The output and each hidden layer's activations (N, neurons), without recording a graph."""
        hidden = []
        x = cr.tensor(inputs)
        with cr.no_grad():
            for index, layer in enumerate(self.model):
                x = layer(x)
                if index % 2 == 1 and index < 2 * len(self.settings["layers"]):
                    hidden.append(x.numpy())
        return x.numpy(), hidden

    def _scores(self, inputs: np.ndarray, targets: np.ndarray) -> tuple[float, float | None]:
        output, _ = self._forward(inputs)
        if len(inputs) == 0:
            return float("nan"), None
        with cr.no_grad():
            loss = float(self.loss_fn(cr.tensor(output), cr.tensor(targets)).item())
        if self.problem.kind != CLASSIFICATION:
            return loss, None
        predicted = output.argmax(axis=1) if output.shape[1] > 1 else (output[:, 0] > 0.5).astype(np.int64)
        return loss, float(np.mean(predicted == targets.reshape(-1)))

    @np.errstate(all="ignore")
    def _record(self) -> None:
        train_loss, train_acc = self._scores(self.inputs_train, self.targets_train)
        test_loss, test_acc = self._scores(self.inputs_test, self.targets_test)
        for key, value in (("train_loss", train_loss), ("test_loss", test_loss), ("train_acc", train_acc),
                           ("test_acc", test_acc)):
            self.history[key].append(value)
        losses = [v for v in self.history["train_loss"] if v is not None]
        self.warnings = training_warnings(losses)

    def stats(self) -> dict[str, Any]:
        last = {key: values[-1] for key, values in self.history.items()}
        return {"epoch": self.epoch, "steps": self.steps, "compiled": self.compiled is not None, **last}

    # ------------------------------------------------------------------ what the page draws
    def description(self) -> dict[str, Any]:
        """What changes only with the settings: the points, the plane, the layer sizes, the names."""
        p, s = self.problem, self.settings
        points = {split: np.concatenate([X[:, :2], y.reshape(-1, 1)], axis=1).round(4).tolist()
                  for split, X, y in (("train", p.X_train, p.y_train), ("test", p.X_test, p.y_test))}
        return {"settings": self.settings, "kind": p.kind, "class_names": p.class_names, "axis_names": p.axis_names,
                "input_names": self.input_names, "sizes": [self.inputs_train.shape[1], *self.settings["layers"],
                                                          network.output_count(self.settings["output"], p)],
                "extent": p.extent, "points": points, "notices": self.notices,
                "columns": p.axis_names + p.extra_names,
                "csv": ({"name": self.csv_files[s["csv"]].name, "columns": self.csv_files[s["csv"]].columns}
                        if s["dataset"] == "csv" else None),
                "target_range": [float(p.y_train.min()), float(p.y_train.max())] if p.kind != CLASSIFICATION else None}

    def grid(self, size: int = BOUNDARY_SIZE) -> np.ndarray:
        """The plane's sample points, row by row from the top (largest x2) left, as network inputs."""
        x1_min, x1_max, x2_min, x2_max = self.problem.extent
        x1, x2 = np.meshgrid(np.linspace(x1_min, x1_max, size), np.linspace(x2_max, x2_min, size))
        plane = np.zeros((size * size, 2 + len(self.problem.extra_names)))
        plane[:, 0], plane[:, 1] = x1.ravel(), x2.ravel()
        return feature_matrix(plane, self.settings["features"])

    def check_health(self) -> None:
        """Run ``cr.diagnose`` on the current network if it changed since the last check."""
        self.health.update(self.steps, self.model, self.inputs_train, self.targets_train, self.loss_fn,
                           self.optimizer, self.plan, len(self.settings["layers"]))

    @np.errstate(all="ignore")
    def frame(self, history_from: int = 0) -> dict[str, Any]:
        self.check_health()
        inputs = self.grid()
        output, hidden = self._forward(inputs)
        size = BOUNDARY_SIZE
        boundary: dict[str, Any]
        if self.problem.kind != CLASSIFICATION:
            low, high = self.problem.y_train.min(), self.problem.y_train.max()
            scaled = np.clip((output[:, 0] - low) / (high - low or 1), 0, 1)
            boundary = {"kind": "value", "values": _bytes(np.round(scaled * 255))}
        elif output.shape[1] == 1 or output.shape[1] == 2:
            positive = output[:, 0] if output.shape[1] == 1 else _softmax(output)[:, 1]
            boundary = {"kind": "binary", "values": _bytes(np.round(np.nan_to_num(positive, nan=0.5) * 255))}
        else:
            probabilities = _softmax(output)
            boundary = {"kind": "classes", "values": _bytes(np.nan_to_num(probabilities).argmax(axis=1)),
                        "confidence": _bytes(np.round(np.nan_to_num(probabilities.max(axis=1)) * 255))}
        thumb = lambda column: column.reshape(size, size)[::MAP_STRIDE, ::MAP_STRIDE]  # noqa: E731
        maps = [[_signed_map(thumb(layer[:, k])) for k in range(layer.shape[1])] for layer in [inputs, *hidden]]
        linears = [m for m in self.model if isinstance(m, cr.nn.Linear)]
        layers = [{"weight": _round(m.weight.data), "bias": _round(m.bias.data),
                   "weight_grad": _round(m.weight.grad.data) if m.weight.grad is not None else None,
                   "bias_grad": _round(m.bias.grad.data) if m.bias.grad is not None else None} for m in linears]
        return {"type": "frame", "boundary": boundary, "maps": [[{"values": v, "scale": s} for v, s in layer]
                                                                for layer in maps],
                "map_size": len(range(0, size, MAP_STRIDE)), "layers": layers, "stats": self.stats(),
                "history": {key: values[history_from:] for key, values in self.history.items()},
                "history_from": history_from, "findings": self.health.findings, "error": self.error,
                "warnings": self.warnings + [note for note in (self.health.problem,) if note]}

    def predict(self, inputs: np.ndarray) -> np.ndarray:
        return self._forward(inputs)[0]

    # ------------------------------------------------------------------ explaining and exporting
    def explain_point(self, split: str, index: int) -> str:
        """The forward and backward pass for one point, numbers in the notes' formulas (HTML)."""
        inputs, targets = ((self.inputs_train, self.targets_train) if split == "train" else
                           (self.inputs_test, self.targets_test))
        if not 0 <= index < len(inputs):
            raise ValueError(f"there is no {split} point number {index} (the {split} set has {len(inputs)})")
        copy = network.build_model(self.plan)       # explain.step updates the model it is given
        copy.load_state_dict(self.model.state_dict())
        record = explain.step(copy, network.build_loss(self.settings["output"]), inputs[index], targets[index],
                              lr=self.settings["lr"], decimals=4)
        names = ", ".join(f"{name} = {value:.4f}" for name, value in zip(self.input_names, inputs[index], strict=True))
        return f"<p><b>{split} point {index}</b>: {names}</p>" + record._repr_html_()

    def model_file(self) -> bytes:
        """The trained model as a chainrule model file (``cr.save``), with the page's settings in it."""
        handle, path = tempfile.mkstemp(suffix=".safetensors")
        os.close(handle)
        try:
            cr.save(self.model, path, metadata={"playground_settings": self.settings, "inputs": self.input_names,
                                                "class_names": self.problem.class_names, "epochs": self.epoch})
            with open(path, "rb") as stream:
                return stream.read()
        finally:
            os.unlink(path)

    def script(self) -> str:
        return network.script(self.settings, self.plan, self.epoch, len(self.inputs_train))


def _softmax(logits: np.ndarray) -> np.ndarray:
    return cr.nn.functional.softmax(cr.tensor(logits), dim=1).numpy()


__all__ = ["Session", "dataset", "resolve_output"]
