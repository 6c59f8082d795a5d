"""The training options: one table gives each flag its checker, default and help, for the command line
and for ``--config FILE.toml`` alike (same names; flags given on the command line win).
"""

from __future__ import annotations

import argparse
import math
import os
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from chainrule.cli.errors import CommandError
from chainrule.io.files import CONFIG_FILE_LIMIT, FileRefused, read_regular_file
from chainrule.nn import registry

# Names come from chainrule.nn.registry (aliases such as logsig are accepted and stored as the main name).
ACTIVATIONS = registry.HIDDEN_ACTIVATIONS.canonical
# The losses the trained network (one logit per class, or the predicted values) can meet with its
# targets (class labels, or numbers); 'auto' picks one from the data.
TRAIN_LOSSES = registry.LOSSES.where(
    lambda loss: loss.input == "values" or (loss.input == "logits" and loss.takes_class_indices))
LOSSES = ("auto", *TRAIN_LOSSES.canonical)
OPTIMIZERS = ("adam", "adamw", "sgd", "rmsprop", "adagrad")
SCHEDULERS = ("constant", "step", "cosine", "plateau")


def _number(text: Any, name: str) -> float:
    if isinstance(text, bool):
        raise ValueError(f"{name} must be a number, got {text!r}")
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {text!r}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {text!r}")
    return value


def _integer(text: Any, name: str) -> int:
    if isinstance(text, bool):
        raise ValueError(f"{name} must be a whole number, got {text!r}")
    try:
        return int(str(text).strip())
    except ValueError:
        pass
    # "100.0", "1e3" (and 100.0 in a TOML file) are whole numbers too; "2.5" and "abc" are not.
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a whole number, got {text!r}") from None
    if not value.is_integer():
        raise ValueError(f"{name} must be a whole number, got {text!r}")
    return int(value)


def positive_float(text: Any, name: str) -> float:
    value = _number(text, name)
    if value <= 0:
        raise ValueError(f"{name} must be a positive number, got {text!r}")
    return value


def non_negative_float(text: Any, name: str) -> float:
    value = _number(text, name)
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {text!r}")
    return value


def positive_int(text: Any, name: str) -> int:
    value = _integer(text, name)
    if value < 1:
        raise ValueError(f"{name} must be a positive whole number, got {text!r}")
    return value


def non_negative_int(text: Any, name: str) -> int:
    value = _integer(text, name)
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {text!r}")
    return value


def fraction(text: Any, name: str) -> float:
    value = _number(text, name)
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a fraction in [0, 1), got {text!r}")
    return value


def choice(options: tuple[str, ...], aliases: dict[str, str] | None = None) -> Callable[[Any, str], str]:
    """One of ``options`` (any case, ``-`` for ``_``); ``aliases`` maps other accepted names to an option."""
    def check(text: Any, name: str) -> str:
        value = str(text).lower().replace("-", "_")
        value = (aliases or {}).get(value, value)
        if value not in options:
            raise ValueError(f"{name} must be one of {', '.join(options)}; got {text!r}")
        return value
    return check


def registered(table: registry.Names[Any], *extra: str) -> Callable[[Any, str], str]:
    """A name of ``table`` (any of its aliases, returned as the entry's own name), or one of ``extra``."""
    return choice((*extra, *table.canonical), {name: entry.name for name, entry in table.items()})


def needs_class_labels(loss: str) -> bool | None:
    """Whether ``loss`` (a checked --loss) trains on class labels (True) or numbers (False); None for auto."""
    return None if loss == "auto" else registry.LOSSES[loss].takes_class_indices


def device_name(value: Any, name: str) -> str:
    """A device to train on: cpu, cuda or cuda:N (whether a GPU is present is checked before training)."""
    from chainrule import backend

    try:
        return str(backend.device(str(value).strip().lower()))  # "cuda" stays "cuda", as the user wrote it
    except (RuntimeError, ValueError):
        raise ValueError(f"{name} must be cpu, cuda or cuda:N (N the GPU's index); got {value!r}") from None


def text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {value!r}")
    return value


@dataclass(frozen=True)
class Option:
    """How one training setting is read: its checker, help text and metavar. ``many``: it takes several
    values (--hidden 64 32); ``run``: it changes the trained weights, so a resumed run must use the same."""

    check: Callable[[Any, str], Any]
    help: str
    metavar: str | None = None
    many: bool = False
    run: bool = True


def _option(check: Callable[[Any, str], Any], default: Any, help: str, metavar: str | None = None,
            many: bool = False, run: bool = True) -> Any:
    """A :class:`TrainSettings` field: its default plus the :class:`Option` that reads it."""
    described = {"option": Option(check, help, metavar, many, run)}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=described)
    return field(default=default, metadata=described)


@dataclass
class TrainSettings:
    """Every setting of ``chainrule train``, typed: defaults, overridden by --config, overridden by flags.

    Each field is one flag (``batch_size`` is ``--batch-size``) and one key of a --config file.
    """

    data: str | None = _option(text, None, "CSV file to train on (header row required)", "CSV")
    target: str | None = _option(text, None, "the column of --data to predict", "COLUMN")
    dataset: str | None = _option(text, None, "a built-in data set instead of --data (see `chainrule datasets`)",
                                  "NAME")
    ignore: list[str] = _option(text, [], "columns of --data not to learn from (ids, names, free text)", "COLUMN",
                                many=True)
    hidden: list[int] = _option(positive_int, [64, 32], "hidden layer widths (default: 64 32)", "N", many=True)
    activation: str = _option(registered(registry.HIDDEN_ACTIVATIONS), "relu",
                              f"hidden activation: {', '.join(ACTIVATIONS)}", "NAME")
    loss: str = _option(registered(TRAIN_LOSSES, "auto"), "auto",
                        f"loss: {', '.join(LOSSES)}; auto = cross_entropy for class labels, mse for numbers", "NAME")
    optimizer: str = _option(choice(OPTIMIZERS), "adam", f"optimiser: {', '.join(OPTIMIZERS)}", "NAME")
    lr: float = _option(positive_float, 0.003, "learning rate (default 0.003)", "RATE")
    momentum: float = _option(non_negative_float, 0.0, "momentum (sgd and rmsprop; default 0)", "BETA")
    epochs: int = _option(positive_int, 300, "passes over the training data at most (default 300; early stopping "
                          "usually ends sooner)", "N")
    batch_size: int = _option(positive_int, 32, "samples per gradient step (default 32)", "N")
    weight_decay: float = _option(non_negative_float, 1e-3, "L2 weight decay (default 0.001)", "LAMBDA")
    scheduler: str = _option(choice(SCHEDULERS), "constant", f"learning-rate schedule: {', '.join(SCHEDULERS)}",
                             "NAME")
    val_split: float = _option(fraction, 0.2, "fraction of the data held out for validation (default 0.2)", "F")
    early_stopping: int = _option(non_negative_int, 20, "stop after PATIENCE epochs without a better val_loss "
                                  "and keep the best epoch's weights (default 20; 0: off)", "PATIENCE")
    seed: int = _option(non_negative_int, 0, "random seed: the same seed gives the same model (default 0)", "N")
    device: str = _option(device_name, "cpu", "where to train: cpu, or cuda (cuda:N) for an NVIDIA GPU, which needs "
                          "pip install 'chainrule[cuda12]'; the same seed gives the same model on both (default cpu)",
                          "DEVICE", run=False)
    out: str = _option(text, "model.safetensors", "where to save the model (default model.safetensors)", "MODEL",
                       run=False)
    plot: str | None = _option(text, None, "save a decision-boundary plot there (2 features, class labels; the main "
                               "job, with no --data or --dataset, draws decision_boundary.png)", "PNG", run=False)
    checkpoint_dir: str | None = _option(text, None, "write a checkpoint there every epoch (resumable)", "DIR",
                                         run=False)
    resume: bool = _option(flag, False, "continue from the checkpoint in --checkpoint-dir", None, run=False)
    quiet: bool = _option(flag, False, "no progress display; print only the results", None, run=False)
    diagnose: bool = _option(flag, False, "print cr.diagnose's per-layer report after training (and, when training "
                             "fails, the report of the starting network and the layer whose gradients blew up)", None,
                             run=False)
    config: str | None = None  # the --config file the settings were read from (an input of the command)

    def run_settings(self) -> dict[str, Any]:
        """The settings that change the trained weights (stored in checkpoints and model files)."""
        return {name: getattr(self, name) for name, option in TRAIN_OPTIONS.items() if option.run}

    def given(self, name: str) -> bool:
        """Whether ``name`` differs from its default (was set by a flag or the config file)."""
        return bool(getattr(self, name) != DEFAULTS[name])


TRAIN_OPTIONS: dict[str, Option] = {item.name: item.metadata["option"] for item in fields(TrainSettings)
                                    if "option" in item.metadata}
DEFAULTS: dict[str, Any] = {name: getattr(TrainSettings(), name) for name in TRAIN_OPTIONS}


class _ArgumentChecker:
    """argparse ``type=``: runs an option's checker, turning ValueError into argparse's error."""

    def __init__(self, name: str, check: Callable[[Any, str], Any]) -> None:
        self.name, self.check = name, check
        self.__name__ = name  # argparse names the type in some messages

    def __call__(self, value: str) -> Any:
        try:
            return self.check(value, "--" + self.name.replace("_", "-"))
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None


TRAIN_EXAMPLES = """\
With no options: the main job, a 2-64-32-3 MLP trained on three generated spiral
arms (Adam, lr 0.003, weight decay 0.001, batches of 32, 20% held out; at most
300 epochs, stopping after 20 without a better validation loss and keeping the
best epoch's weights), saved to model.safetensors, with its picture in
decision_boundary.png.

examples:
  chainrule train --data iris.csv --target species --out iris.safetensors
  chainrule train --dataset moons --hidden 16 16 --activation tanh --epochs 200 --plot moons.png
"""


def _help(name: str) -> str:
    """The option's help, ending with its default where the text does not already give it."""
    option, default = TRAIN_OPTIONS[name], DEFAULTS[name]
    if "default" in option.help or default in (None, False, []):
        return option.help
    shown = " ".join(map(str, default)) if isinstance(default, list) else default
    return f"{option.help} (default {shown})"


def add_train_arguments(parser: argparse.ArgumentParser) -> None:
    """Every option of ``TRAIN_OPTIONS`` as a flag whose default is None (= not given)."""
    for name, option in TRAIN_OPTIONS.items():
        flag_name = "--" + name.replace("_", "-")
        if option.check is flag:
            parser.add_argument(flag_name, action="store_true", default=None, help=_help(name))
        else:
            parser.add_argument(flag_name, type=_ArgumentChecker(name, option.check), default=None,
                                nargs="+" if option.many else None, metavar=option.metavar, help=_help(name))
    parser.add_argument("--config", default=None, metavar="FILE.toml",
                        help="read options from a TOML file (same names as the flags; flags win)")


def read_config(path: str) -> dict[str, Any]:
    """The options in a TOML file, checked like the flags."""
    if not os.path.exists(path):
        raise CommandError(f"config file {path!r} does not exist", "check the path given to --config")
    try:
        # utf-8-sig: Windows editors may start the file with a byte-order mark, which TOML does not allow
        raw = tomllib.loads(read_regular_file(path, CONFIG_FILE_LIMIT).decode("utf-8-sig"))
    except tomllib.TOMLDecodeError as error:
        raise CommandError(f"config file {path!r} is not valid TOML: {error}") from None
    except FileRefused as refused:
        raise CommandError(f"config file {path!r} {refused.explain('a TOML file')}",
                           "give --config the path of a .toml file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise CommandError(f"cannot read config file {path!r}: {reason}") from None
    table = raw.get("train", raw) if isinstance(raw.get("train"), dict) else raw
    values = {}
    for key, value in table.items():
        name = key.replace("-", "_")
        option = TRAIN_OPTIONS.get(name)
        if option is None:
            raise CommandError(f"config file {path!r}: unknown option {key!r}",
                               f"valid options: {', '.join(k.replace('_', '-') for k in TRAIN_OPTIONS)}")
        try:
            if option.many:
                items = value if isinstance(value, list) else [value]
                values[name] = [option.check(item, f"{key} in {path}") for item in items]
            else:
                values[name] = option.check(value, f"{key} in {path}")
        except ValueError as error:
            raise CommandError(str(error), f"fix {key} in {path} (see: chainrule train --help)") from None
    return values


def resolve(args: argparse.Namespace) -> TrainSettings:
    """The training settings: defaults, overridden by --config, overridden by flags."""
    values: dict[str, Any] = {}
    if args.config is not None:
        values.update(read_config(args.config))
    for name in TRAIN_OPTIONS:
        value = getattr(args, name, None)
        if value is not None:
            values[name] = value
    settings = TrainSettings(**values, config=args.config)
    if settings.data is not None and settings.dataset is not None:
        raise CommandError("give either --data CSV or --dataset NAME, not both")
    if settings.data is not None and settings.target is None:
        raise CommandError(f"--data {settings.data} needs --target COLUMN, the column to predict")
    if settings.data is None and settings.target is not None:
        raise CommandError("--target names a column of a CSV file: give the file with --data CSV")
    if settings.data is None and settings.ignore:
        raise CommandError("--ignore names columns of a CSV file: give the file with --data CSV")
    if settings.resume and settings.checkpoint_dir is None:
        raise CommandError("--resume needs --checkpoint-dir DIR, the directory of the checkpoint to resume from")
    return settings


def command_line(settings: TrainSettings) -> str:
    """The flags that reproduce ``settings`` (for the 'resume with' message)."""
    parts = ["chainrule", "train"]
    for name in TRAIN_OPTIONS:
        value = getattr(settings, name)
        if value is None or not settings.given(name) or name == "resume":
            continue
        flag_name = "--" + name.replace("_", "-")
        if value is True:
            parts.append(flag_name)
        elif isinstance(value, list):
            parts += [flag_name, *map(str, value)]
        else:
            parts += [flag_name, str(value)]
    return shlex.join(parts)
