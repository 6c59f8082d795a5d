"""``chainrule demo NAME``: the lecture notes' demonstrations, one command each.

Each demo prints what it computes, number by number where the notes give numbers, using the same
library calls a learner would write (``cr.Perceptron``, ``cr.explain``, ``cr.fit``, ``cr.viz``).
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from chainrule.cli.errors import CommandError
from chainrule.cli.paths import Output, check_outputs, check_plot_path, figure_metadata


@dataclass(frozen=True)
class DemoOptions:
    """The options every demo takes: the random seed, where to save its figure, no progress display."""

    seed: int = 0
    plot: str | None = None
    quiet: bool = False


def logic_gates(options: DemoOptions) -> None:
    """The perceptron rule learns AND, OR, NAND, NOR and NOT, and never settles on XOR."""
    import chainrule as cr

    print("The perceptron learning rule  w += lr * (y - y_hat) * x  on the logic gates (notes 004):")
    for gate in ("and", "or", "nand", "nor", "not", "xor"):
        X, y = cr.data.xor() if gate == "xor" else cr.data.logic_gate(gate)
        perceptron = cr.Perceptron(X.shape[1], lr=1.0, seed=options.seed)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # XOR's "did not converge" warning is the point of the demo
            perceptron.fit(X, y, max_epochs=50)
        predicted = perceptron.predict(X).tolist()
        verdict = (f"learned in {perceptron.n_epochs_} epochs" if perceptron.converged_
                   else f"NOT learned after {perceptron.n_epochs_} epochs (not linearly separable)")
        print(f"  {gate.upper():<5} targets {y.tolist()}  predictions {predicted}  {verdict}")
    print("No single line separates XOR's classes; a hidden layer does (chainrule demo xor).")


def xor(options: DemoOptions) -> None:
    """The notes' hand-set XOR network, then an MLP that learns XOR by gradient descent."""
    import chainrule as cr

    print("XOR with the notes' hand-set weights (002: OR and AND-NOT units, then AND):")
    print(cr.explain.truth_table(cr.explain.notes_threshold_xor()))
    print("\nA 2-4-1 network (tanh hidden layer) learning XOR with cr.fit (full-batch Adam):")
    X, y = cr.data.xor()
    cr.manual_seed(options.seed)
    model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1))
    history = cr.fit(model, X, y.astype(np.float32), loss="bce_with_logits", optimizer="adam", lr=0.05,
                     epochs=300, batch_size=None, verbose=False)
    probabilities = 1 / (1 + np.exp(-cr.train.predict(model, X).reshape(-1)))
    for inputs, target, p in zip(X.tolist(), y.tolist(), probabilities, strict=True):
        print(f"  x = {inputs}  target {target}  P(y=1) = {p:.4f}  class {int(p > 0.5)}")
    print(f"final loss {history.history['loss'][-1]:.5f} after 300 epochs")


def backprop_step(options: DemoOptions) -> None:
    """The notes' logistic-regression example: one forward, backward and update step, every number."""
    import chainrule as cr

    print("One gradient-descent step of logistic regression (notes 001): x = (0.1, 0.7), y = 1,")
    print("w = (0.8, 0.2), b = 0.1, alpha = 0.5, binary cross-entropy loss:\n")
    model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=cr.float64)  # b = -w0 = 0.1
    record = cr.explain.step(model, cr.nn.BCELoss(), x=[0.1, 0.7], y=1.0, lr=0.5)
    print(record)


def gradient_descent(options: DemoOptions) -> None:
    """Gradient descent on f(x) = x^2: alpha = 0.3 converges, alpha = 1.5 diverges."""
    import chainrule as cr

    print("Gradient descent x := x - alpha * f'(x) on f(x) = x^2 from x0 = 1 (notes 001):")
    for lr in (0.3, 1.5):
        path = cr.viz.gradient_descent_path(lambda x: x ** 2, x0=1.0, lr=lr, steps=8)
        verdict = "converges" if abs(path[-1]) < abs(path[0]) else "diverges"
        print(f"  alpha = {lr}: x = {', '.join(f'{v:.4g}' for v in path)}  -> {verdict}")
    print("Each step multiplies x by (1 - 2 alpha): |1 - 2 alpha| < 1 converges, > 1 diverges.")
    _maybe_plot(options, lambda: cr.viz.plot_gradient_descent(lambda x: x ** 2, x0=1.0, lr=1.5, steps=6))


def polar_rings(options: DemoOptions) -> None:
    """Concentric rings: no line separates them in (x1, x2), a threshold on the radius does."""
    import chainrule as cr

    X, y = cr.data.rings(n_samples=400, n_rings=2, noise=0.05, seed=options.seed)
    print("Two concentric rings (notes 001: a better representation makes the problem easy).")
    for name, features in (("cartesian (x1, x2)", X), ("polar (r, theta)", cr.data.polar(X))):
        perceptron = cr.Perceptron(2, lr=0.1, seed=options.seed)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            perceptron.fit(features, y, max_epochs=100)
        accuracy = float(np.mean(perceptron.predict(features) == y))
        print(f"  perceptron on {name:<19} accuracy {accuracy:.3f}"
              f"{'  (linearly separable)' if perceptron.converged_ else ''}")
    _maybe_plot(options, lambda: cr.viz.plot_data(cr.data.polar(X), y, title="Rings in polar coordinates",
                                                  feature_names=("r", "theta")))


def digits(options: DemoOptions) -> None:
    """An MLP on scikit-learn's 8x8 handwritten digits (1797 images, 10 classes)."""
    import chainrule as cr

    try:
        X, y = cr.data.load_dataset("digits")
    except ImportError as error:
        raise CommandError(str(error)) from None
    X = X / 16.0  # pixel values 0..16 -> 0..1
    X_train, X_test, y_train, y_test = cr.data.train_test_split(X, y, test_size=0.25, seed=options.seed,
                                                                stratify=y)
    cr.manual_seed(options.seed)
    model = cr.nn.Sequential(cr.nn.Linear(64, 64), cr.nn.ReLU(), cr.nn.Linear(64, 10))
    print(f"Handwritten digits: {len(X_train)} training and {len(X_test)} test images of 8x8 pixels;")
    print(f"a 64-64-10 MLP ({sum(p.numel() for p in model.parameters())} parameters), Adam, 20 epochs:")
    cr.fit(model, X_train, y_train, loss="cross_entropy", optimizer="adam", lr=0.01, epochs=20, batch_size=32,
           metrics=["accuracy"], verbose=not options.quiet and _terminal())
    scores = cr.evaluate(model, X_test, y_test, loss="cross_entropy", metrics=["accuracy"])
    print(f"test loss {scores['loss']:.4f}  test accuracy {scores['accuracy']:.4f}")


def _terminal() -> bool:
    import sys

    return sys.stdout.isatty()


def _maybe_plot(options: DemoOptions, make: Callable[[], Any]) -> None:
    path = options.plot
    if path is None:
        return
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        print("plot skipped: matplotlib is not installed (pip install 'chainrule[plot]')")
        return
    make().savefig(path, metadata=figure_metadata(path))
    print(f"plot saved to {path}")


DEMOS: dict[str, tuple[Callable[[DemoOptions], None], str]] = {
    "logic-gates": (logic_gates, "the perceptron rule learns AND, OR, NAND, NOR and NOT, and never settles on "
                                 "XOR (notes 004)"),
    "xor": (xor, "the notes' hand-set XOR network and its truth table, then a 2-4-1 MLP learning XOR (002, 004)"),
    "backprop-step": (backprop_step, "one forward, backward and update step of the notes' logistic-regression "
                                     "example, every number (001)"),
    "gradient-descent": (gradient_descent, "x := x - alpha f'(x) on x^2: alpha 0.3 converges, 1.5 diverges "
                                           "(001; --plot draws the path)"),
    "polar-rings": (polar_rings, "two rings: no line separates them in (x1, x2), a perceptron does in polar "
                                 "coordinates (001; --plot)"),
    "digits": (digits, "a 64-64-10 MLP on 8x8 handwritten digits, about 96% test accuracy (needs scikit-learn)"),
}


def demo_list() -> str:
    """The text after ``chainrule demo --help``'s options: each demo and what it shows."""
    width = max(map(len, DEMOS))
    lines = [textwrap.fill(description, 79, initial_indent=f"  {name:<{width}}  ",
                           subsequent_indent=" " * (width + 4)) for name, (_, description) in DEMOS.items()]
    return "demos:\n" + "\n".join(lines) + "\n\nexample:\n  chainrule demo gradient-descent --plot descent.png"


# The demos that draw a figure (those calling _maybe_plot): --plot is refused for the others.
FIGURE_DEMOS = ("gradient-descent", "polar-rings")


def run_demo(name: str, options: DemoOptions) -> int:
    key = name.lower().replace("_", "-")
    if key not in DEMOS:
        raise CommandError(f"unknown demo {name!r}", f"valid demos: {', '.join(DEMOS)}")
    if options.plot is not None:
        if key not in FIGURE_DEMOS:
            raise CommandError(f"the {key} demo has no figure to save with --plot",
                               f"demos with a figure: {', '.join(FIGURE_DEMOS)}")
        check_plot_path(options.plot)
        check_outputs([Output(options.plot, "--plot", "figure.png")], {})
    DEMOS[key][0](options)
    return 0
