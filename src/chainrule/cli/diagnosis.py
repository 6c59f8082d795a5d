"""``chainrule train --diagnose``: what ``cr.diagnose`` and the ``Diagnostics`` callback say about the run."""

from __future__ import annotations

from typing import Any

from chainrule.cli.errors import CommandError
from chainrule.cli.options import TrainSettings


class Diagnosis:
    """``--diagnose``: ``cr.diagnose`` on the starting network (shown if training fails), a
    ``Diagnostics`` callback that stops a diverging run naming the layer and batch, and the report of
    the trained network. Without the flag every method does nothing."""

    def __init__(self, settings: TrainSettings, model: Any, X: Any, y: Any, loss: str, optimizer: Any) -> None:
        self.enabled = settings.diagnose
        self.model, self.X, self.y, self.loss, self.optimizer = model, X, y, loss, optimizer
        self.watch: Any = None
        self.before: Any = None
        if self.enabled:
            import chainrule as cr

            self.before = cr.diagnose(model, X, y, loss=loss, optimizer=optimizer)
            self.watch = cr.train.Diagnostics(verbose=False)

    def callbacks(self) -> list[Any]:
        return [self.watch] if self.watch is not None else []

    def failed(self) -> None:
        if self.enabled:
            print(f"diagnosis of the starting network:\n{self.before}", flush=True)

    def check_diverged(self) -> None:
        """Raise (after the diagnosis) when the Diagnostics callback stopped a diverging run."""
        if self.watch is not None and self.watch.stopped is not None:
            self.failed()
            raise CommandError((self.watch.message or "").replace("Diagnostics: ", ""),
                               "nothing was saved; lower --lr (and check the data)")

    def after_training(self) -> None:
        if self.enabled:
            import chainrule as cr

            report = cr.diagnose(self.model, self.X, self.y, loss=self.loss, optimizer=self.optimizer)
            print(f"diagnosis of the trained network:\n{report}", flush=True)
