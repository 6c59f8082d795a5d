"""``LRScheduler``: the base of the learning-rate schedules in ``chainrule.optim.lr_scheduler``."""

from __future__ import annotations

from typing import Any

from chainrule.autograd import recording
from chainrule.optim.optimizer import Optimizer


def check_optimizer(optimizer: Any) -> None:
    """Raise ``TypeError`` unless ``optimizer`` is a chainrule ``Optimizer`` (a scheduler sets its lrs)."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer: a scheduler needs the optimiser "
                        "whose learning rates it sets, e.g. StepLR(optimizer, step_size=10)")


class LRScheduler:
    """Base class of the epoch-driven schedules.

    ``base_lrs`` are the groups' starting learning rates (kept in each group as ``"initial_lr"``),
    ``last_epoch`` counts ``step()`` calls (0 after construction), ``get_last_lr()`` returns the
    rates now in force. Subclasses compute the next rates in ``get_lr()`` from the current ones, as
    PyTorch does (so schedules can be chained), and may give a ``_get_closed_form_lr()``.

    Args:
        optimizer: the optimiser whose ``param_groups[i]["lr"]`` this scheduler sets.
        last_epoch: the index of the last finished epoch; -1 (default) starts a new schedule.
    """

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(f"param 'initial_lr' is not specified in param_groups[{index}] when "
                                   f"resuming a scheduler with last_epoch={last_epoch}: load the optimizer's "
                                   "state dict first, or start a new schedule with last_epoch=-1")
        self.base_lrs: list[float] = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._is_initial = True
        self._step_count = 0
        self.step()
        self._is_initial = False

    def get_lr(self) -> list[float]:
        """The learning rates for epoch ``last_epoch``, one per parameter group."""
        raise NotImplementedError(f"{type(self).__name__} must define get_lr()")

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per parameter group."""
        return self._last_lr

    def step(self, epoch: int | None = None) -> None:
        """Advance one epoch (or jump to ``epoch``, using the closed form where there is one) and set
        every group's ``lr``."""
        if recording.tape is not None:  # cr.compile is tracing (chainrule.compiler): replays call this again
            return recording.tape.record_call(self.step, epoch)
        self._step_count += 1
        if epoch is None:
            self.last_epoch += 1
            values = self.get_lr()
        else:
            self.last_epoch = epoch
            closed_form = getattr(self, "_get_closed_form_lr", None)
            values = closed_form() if closed_form is not None else self.get_lr()
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """Everything the scheduler knows except the optimiser (save the optimiser separately)."""
        return {key: value for key, value in self.__dict__.items() if key != "optimizer"}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Resume from ``state_dict()``'s output."""
        self.__dict__.update(state_dict)
