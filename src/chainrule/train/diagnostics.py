"""``Diagnostics``: a ``cr.fit`` callback that records each layer's statistics every epoch and stops a
diverging run, naming the layer whose gradients blew up first and the batch.

>>> import chainrule as cr
>>> X, y = cr.data.moons(n_samples=200, noise=0.1, seed=0)
>>> _ = cr.manual_seed(0)
>>> model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.ReLU(), cr.nn.Linear(16, 2))
>>> history = cr.fit(model, X, y, loss="cross_entropy", optimizer="sgd", lr=0.1, epochs=3,
...                  callbacks=[cr.train.Diagnostics()], verbose=False)
>>> len(history.history["grad_norm/0"])
3
"""

from __future__ import annotations

import math
import statistics
import sys
from collections import deque
from typing import Any

from chainrule.train.callbacks import Callback, Logs
from chainrule.train.layer_statistics import LayerRecorder, LayerStatistics, norm_of, own_parameters, update_ratios

# Statistics written into the logs (and so into History) every epoch, as "<statistic>/<layer>".
RECORDED = ("activation_mean", "activation_std", "dead_fraction", "saturated_fraction", "grad_norm",
            "update_ratio")
# Training has diverged when a batch's loss exceeds this many times the starting loss (the median of
# the first WINDOW batch losses before it). Measured by bench/diagnostics_thresholds.py over 149 runs
# that trained well: at most 42 times (loss spikes of fast Adam runs); runs that diverge pass 1e3
# within a few batches, and reach 1e18.
DIVERGENCE = 100.0
# Which layer blew up first is read, once training has diverged, from the last LOOK_BACK updates: the
# earliest update at which a layer's gradient norm exceeded BLOWUP times its median over the older
# half of them. (Only that window counts: in healthy training single updates can jump far above the
# norms just before them, near a minimum where most gradients are tiny.)
BLOWUP = 10.0
LOOK_BACK = 50
WINDOW = 10


class Diagnostics(Callback):
    """Record per-layer statistics every epoch, and stop training when the loss diverges or turns NaN.

    Every epoch, the first batch's forward and backward pass is read like ``cr.diagnose`` reads its
    sample (activation mean and std, share of dead ReLU units, share of saturated sigmoid/tanh outputs,
    and the update-to-weight ratio of that batch's step); each layer's gradient norm is averaged over
    every update of the epoch. They go into the logs, and so into ``history.history``, under
    ``"<statistic>/<layer>"`` (``"grad_norm/0"``, ``"dead_fraction/1"``): plot them with
    ``cr.viz.plot_diagnostics(history)``. The same records are in ``diagnostics.records``.

    Divergence: a batch loss that is NaN or infinite, or ``divergence`` times the starting loss (the
    median of the first 10 batch losses); or a gradient that is NaN or infinite (that update is skipped,
    so the weights stay finite). Training then stops (at the end of that batch) and ``message`` says
    when, and which layer's gradient norm first jumped ``blowup`` times beyond its usual size (its
    median over the older half of the last 50 updates), at which batch (or, when none did, which
    layer's gradient grew the most over them). ``stopped`` is None or
    ``{"epoch", "batch", "layer", "loss"}``; ``max_loss_ratio`` is the largest loss / starting loss seen.
    """

    def __init__(self, divergence: float = DIVERGENCE, blowup: float = BLOWUP, verbose: bool = True) -> None:
        super().__init__()
        for name, value in (("divergence", divergence), ("blowup", blowup)):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 1:
                raise ValueError(f"Diagnostics: {name} is a factor and must be a number > 1, got {value!r}")
        self.divergence, self.blowup, self.verbose = float(divergence), float(blowup), verbose
        self.records: list[dict[str, float]] = []
        self.message: str | None = None
        self.stopped: dict[str, Any] | None = None
        self.max_loss_ratio = 0.0
        self._recorder: LayerRecorder | None = None
        self._step: Any = None

    # -- training begins and ends -----------------------------------------------------------------
    def on_train_begin(self, logs: Logs | None = None) -> None:
        self.records, self.message, self.stopped = [], None, None
        self.max_loss_ratio = 0.0
        self._recorder = LayerRecorder(self.model, active=False)
        self._layers = [(name, own_parameters(module)) for name, module in self._recorder.layers
                        if own_parameters(module)]
        self._kinds = {name: type(module).__name__ for name, module in self._recorder.layers}
        self._norms: deque[tuple[int, int, dict[str, float]]] = deque(maxlen=LOOK_BACK)
        self._starting: list[float] = []
        self._epoch = int(self.params.get("initial_epoch", 0))
        self._batch = 0
        # NOTE: the gradients exist between backward and the update only, so the callback looks at them
        # by standing in for the optimiser's step (undone in close()).
        self._step = self.optimizer.step
        self.optimizer.step = self._checked_step

    def close(self) -> None:
        if self._step is not None:
            try:
                del self.optimizer.step
            except AttributeError:
                self.optimizer.step = self._step
            self._step = None
        if self._recorder is not None:
            self._recorder.remove()

    def on_train_end(self, logs: Logs | None = None) -> None:
        self.close()

    # -- every epoch and batch ---------------------------------------------------------------------
    def on_epoch_begin(self, epoch: int, logs: Logs | None = None) -> None:
        self._epoch, self._batch = epoch, 0
        self._grad_sums = {name: 0.0 for name, _ in self._layers}
        self._updates = 0
        self._stats: list[LayerStatistics] = []
        if self._recorder is not None:
            self._recorder.clear()
            self._recorder.active = True  # read the first batch of the epoch

    def on_batch_end(self, batch: int, logs: Logs | None = None) -> None:
        self._batch = batch + 1
        loss = float((logs or {}).get("loss", math.nan))
        if self.stop_training:
            return
        start = self._start  # from the earlier batches: this one is judged against them
        if math.isfinite(loss) and start > 0:
            self.max_loss_ratio = max(self.max_loss_ratio, loss / start)
        if not math.isfinite(loss) or (start > 0 and loss > self.divergence * start):
            self._stop(batch, loss)
        elif len(self._starting) < WINDOW:
            self._starting.append(loss)

    def on_epoch_end(self, epoch: int, logs: Logs | None = None) -> None:
        record: dict[str, float] = {}
        for stats in self._stats:
            for key in RECORDED:
                value = getattr(stats, key)
                if value is not None and key != "grad_norm":
                    record[f"{key}/{stats.name}"] = float(value)
        for name, total in self._grad_sums.items():
            if self._updates:
                record[f"grad_norm/{name}"] = total / self._updates
        self.records.append(record)
        if logs is not None:
            logs.update(record)

    # -- the update, with the gradients in hand ----------------------------------------------------
    def _checked_step(self, closure: Any = None) -> Any:
        norms = {name: norm_of([p.grad.data for p in params if p.grad is not None])
                 for name, params in self._layers}
        self._watch(norms)
        if not all(math.isfinite(value) for value in norms.values()):
            self._stop(self._batch, math.nan, skipped=True)
            return None  # an update with NaN/inf gradients would destroy the weights: skip it
        self._updates += 1
        for name, value in norms.items():
            self._grad_sums[name] += value
        recorder = self._recorder
        if recorder is None or not recorder.active:
            return self._step(closure)
        before = recorder.parameter_values()
        result = self._step(closure)
        self._stats = recorder.statistics(update_ratios(before, recorder.parameter_values()))
        recorder.active = False
        recorder.clear()
        return result

    def _watch(self, norms: dict[str, float]) -> None:
        self._norms.append((self._epoch, self._batch, norms))

    def blown_layer(self) -> dict[str, Any] | None:
        """From the last updates: the layer whose gradient norm first exceeded ``blowup`` times its usual
        size (``{"layer", "epoch", "batch", "norm", "usual", "jumped"}``); when none did, the one whose
        norm grew most (``jumped`` False). None before any update."""
        if not self._norms:
            return None
        records = list(self._norms)
        older = records[:max(1, len(records) // 2)]
        usual = {name: statistics.median(r[2][name] for r in older if math.isfinite(r[2][name]))
                 if any(math.isfinite(r[2][name]) for r in older) else 0.0 for name in records[0][2]}

        def ratio(name: str, value: float) -> float:
            if not math.isfinite(value):
                return math.inf
            return value / usual[name] if usual[name] > 0 else 0.0

        for epoch, batch, norms in records:
            jumps = {name: ratio(name, value) for name, value in norms.items()}
            name = max(jumps, key=lambda key: jumps[key])
            if jumps[name] > self.blowup:
                return {"layer": name, "epoch": epoch, "batch": batch, "norm": norms[name], "usual": usual[name],
                        "jumped": True}
        epoch, batch, norms = records[-1]
        name = max(norms, key=lambda key: ratio(key, norms[key]))
        return {"layer": name, "epoch": epoch, "batch": batch, "norm": norms[name], "usual": usual[name],
                "jumped": False}

    @property
    def _start(self) -> float:
        """The starting loss: the median of the first WINDOW batch losses (the smallest while there are
        fewer than 3), so that a run diverging within them does not raise its own yardstick."""
        if not self._starting:
            return math.nan
        return min(self._starting) if len(self._starting) < 3 else statistics.median(self._starting)

    def _stop(self, batch: int, loss: float, skipped: bool = False) -> None:
        self.stop_training = True
        steps = self.params.get("steps", "?")
        epochs = self.params.get("epochs", "?")
        when = f"epoch {self._epoch + 1}/{epochs}, batch {batch + 1}/{steps}"
        what = ("the gradients became NaN or infinite (that update was skipped, so the weights stay finite)"
                if skipped else f"the loss became {loss:.4g}" + (
                    f", {loss / self._start:.3g} times its starting value {self._start:.4g}"
                    if math.isfinite(loss) and self._start > 0 else ""))
        blown = self.blown_layer()
        if blown is None:
            layer = ""
            cause = "No update was taken before the loss ran away."
        else:
            layer, kind = blown["layer"], self._kinds.get(blown["layer"], "layer")
            at = f"epoch {blown['epoch'] + 1}, batch {blown['batch'] + 1}"
            size = (f"{blown['norm'] / blown['usual']:.3g} times its usual {blown['usual']:.3g}"
                    if blown["usual"] > 0 and math.isfinite(blown["norm"]) else f"to {blown['norm']:.3g}")
            cause = (f"The gradients blew up first in layer '{layer}' ({kind}) at {at}: its gradient norm grew {size}."
                     if blown["jumped"] else
                     f"No gradient jumped {self.blowup:g} times; the one that grew most is in layer '{layer}' "
                     f"({kind}): {size} at {at}.")
        groups = getattr(self.optimizer, "param_groups", None)
        lr = groups[0].get("lr") if groups else None
        rate = f" (e.g. lr={lr / 10:g} instead of {lr:g})" if isinstance(lr, (int, float)) else ""
        self.message = (f"Diagnostics: training diverged at {when}: {what}. {cause} Each update W := W - lr * dL/dW "
                        f"overshoots when the steps are too large for the slope of the loss; try a smaller learning "
                        f"rate{rate}, standardised inputs, or run cr.diagnose(model, X, y, loss=..., lr=...) on the "
                        "starting network.")
        self.stopped = {"epoch": self._epoch, "batch": batch, "layer": layer, "loss": loss}
        if self.verbose:
            print(self.message, file=sys.stderr, flush=True)


__all__ = ["BLOWUP", "DIVERGENCE", "RECORDED", "Diagnostics"]
