"""Learning-rate schedules: change each parameter group's ``lr`` as training goes on (PyTorch's API).

Call ``scheduler.step()`` once per epoch, after ``optimizer.step()``::

    scheduler = cr.optim.lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train_one_epoch(...)          # optimizer.step() inside
        scheduler.step()

``ReduceLROnPlateau`` is the one driven by a measured quantity: ``scheduler.step(val_loss)``.
"""

from __future__ import annotations

import math
import types
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from chainrule.optim.optimizer import Optimizer


def _check_optimizer(optimizer: Any) -> None:
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
        _check_optimizer(optimizer)
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


class LambdaLR(LRScheduler):
    """``lr = base_lr * lr_lambda(epoch)``; one function for all groups or a list, one per group.

    >>> scheduler = LambdaLR(optimizer, lr_lambda=lambda epoch: 0.95 ** epoch)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer,
                 lr_lambda: Callable[[int], float] | Sequence[Callable[[int], float]],
                 last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        if isinstance(lr_lambda, (list, tuple)):
            if len(lr_lambda) != len(optimizer.param_groups):
                raise ValueError(f"Expected {len(optimizer.param_groups)} lr_lambdas (one per parameter "
                                 f"group), but got {len(lr_lambda)}")
            self.lr_lambdas: list[Callable[[int], float]] = list(lr_lambda)
        else:
            self.lr_lambdas = [lr_lambda] * len(optimizer.param_groups)  # type: ignore[list-item]
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * fn(self.last_epoch)
                for fn, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]

    def state_dict(self) -> dict[str, Any]:
        """As the base; plain functions are not saved, callable objects save their ``__dict__`` (PyTorch)."""
        state = {key: value for key, value in self.__dict__.items() if key not in ("optimizer", "lr_lambdas")}
        state["lr_lambdas"] = [None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
                               else dict(fn.__dict__) for fn in self.lr_lambdas]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        state = dict(state_dict)
        saved_lambdas = state.pop("lr_lambdas", [])
        self.__dict__.update(state)
        for fn, saved in zip(self.lr_lambdas, saved_lambdas, strict=False):
            if saved is not None:
                fn.__dict__.update(saved)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs:
    ``lr = base_lr * gamma ** (epoch // step_size)``.

    >>> import chainrule as cr
    >>> optimizer = cr.optim.SGD([cr.zeros(2, requires_grad=True)], lr=0.1)
    >>> scheduler = cr.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    >>> for epoch in range(4):
    ...     optimizer.step(); scheduler.step()
    >>> scheduler.get_last_lr()          # halved after epochs 2 and 4
    [0.025]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        if not step_size >= 1:
            raise ValueError(f"Invalid step_size value: {step_size} (must be a positive number of epochs)")
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size) for base_lr in self.base_lrs]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each epoch in ``milestones``:
    ``lr = base_lr * gamma ** (number of milestones <= epoch)``.

    >>> scheduler = MultiStepLR(optimizer, milestones=[30, 80], gamma=0.1)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1,
                 last_epoch: int = -1) -> None:
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        return [lr * self.gamma ** self.milestones[self.last_epoch] for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        passed = bisect_right(milestones, self.last_epoch)  # milestones reached so far
        return [base_lr * self.gamma**passed for base_lr in self.base_lrs]

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        super().load_state_dict(state_dict)
        # A state dict that went through JSON has string keys: epochs are ints again.
        self.milestones = Counter({int(epoch): count for epoch, count in dict(self.milestones).items()})


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: ``lr = base_lr * gamma ** epoch``.

    >>> scheduler = ExponentialLR(optimizer, gamma=0.95)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class CosineAnnealingLR(LRScheduler):
    r"""Cosine annealing (SGDR without restarts): for epoch ``T_cur`` in ``[0, T_max]``

        ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * T_cur / T_max)) / 2``

    computed, as in PyTorch, by the recursion ``lr_{t+1} = eta_min + (lr_t - eta_min) * (1 + cos(pi (t+1)
    / T_max)) / (1 + cos(pi t / T_max))``; past ``T_max`` the rate rises again along the same cosine.

    >>> scheduler = CosineAnnealingLR(optimizer, T_max=100, eta_min=1e-4)  # doctest: +SKIP
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        if not T_max >= 1:
            raise ValueError(f"Invalid T_max value: {T_max} (must be a positive number of epochs)")
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        T_max, eta_min, epoch = self.T_max, self.eta_min, self.last_epoch
        if self._is_initial:
            return self._current_lrs()
        if self._step_count == 1 and epoch > 0:
            return [eta_min + (base_lr - eta_min) * (1 + math.cos(epoch * math.pi / T_max)) / 2
                    for base_lr in self.base_lrs]
        if (epoch - 1 - T_max) % (2 * T_max) == 0:
            # at the cosine's minimum the recursion would divide by zero: step up from eta_min instead.
            return [lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T_max)) / 2
                    for base_lr, lr in zip(self.base_lrs, self._current_lrs(), strict=True)]
        return [(1 + math.cos(math.pi * epoch / T_max)) / (1 + math.cos(math.pi * (epoch - 1) / T_max))
                * (lr - eta_min) + eta_min for lr in self._current_lrs()]

    def _get_closed_form_lr(self) -> list[float]:
        cosine = math.cos(math.pi * self.last_epoch / self.T_max)
        return [self.eta_min + (base_lr - self.eta_min) * (1 + cosine) / 2 for base_lr in self.base_lrs]


class ReduceLROnPlateau(LRScheduler):
    """Reduce the learning rate when a measured quantity (say the validation loss) stops improving:
    after more than ``patience`` epochs without improvement, ``lr = max(lr * factor, min_lr)``.

    Args:
        optimizer: the optimiser whose learning rates to reduce.
        mode: ``'min'`` (the quantity should decrease, e.g. a loss) or ``'max'`` (e.g. an accuracy).
        factor: multiplier of the learning rate, < 1 (default 0.1).
        patience: epochs without improvement tolerated before reducing (default 10).
        threshold: how much better counts as an improvement (default 1e-4).
        threshold_mode: ``'rel'``: better than ``best * (1 -+ threshold)``; ``'abs'``: ``best -+ threshold``.
        cooldown: epochs to wait after a reduction before counting bad epochs again (default 0).
        min_lr: lower bound of the learning rate, one number or one per group (default 0).
        eps: a reduction smaller than this is skipped (default 1e-8).

    >>> import chainrule as cr
    >>> optimizer = cr.optim.SGD([cr.zeros(2, requires_grad=True)], lr=0.1)
    >>> scheduler = cr.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
    >>> for val_loss in [1.0, 0.9, 0.9, 0.9]:   # two epochs without improvement > patience
    ...     scheduler.step(val_loss)
    >>> scheduler.get_last_lr()
    [0.05]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1, patience: int = 10,
                 threshold: float = 1e-4, threshold_mode: str = "rel", cooldown: int = 0,
                 min_lr: float | Sequence[float] = 0, eps: float = 1e-8) -> None:
        if not factor < 1.0:
            raise ValueError(f"Invalid factor value: {factor} (new lr = lr * factor: must be < 1.0)")
        if not patience >= 0:
            raise ValueError(f"Invalid patience value: {patience} (must be >= 0 epochs)")
        if not cooldown >= 0:
            raise ValueError(f"Invalid cooldown value: {cooldown} (must be >= 0 epochs)")
        _check_optimizer(optimizer)
        self.optimizer = optimizer
        self.factor = factor
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != len(optimizer.param_groups):
                raise ValueError(f"expected {len(optimizer.param_groups)} min_lrs (one per parameter group), "
                                 f"got {len(min_lr)}")
            self.default_min_lr: float | None = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr  # type: ignore[assignment]
            self.min_lrs = [min_lr] * len(optimizer.param_groups)
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics: Any, epoch: int | None = None) -> None:  # type: ignore[override]
        """Record this epoch's value of the monitored quantity and reduce the rates if it has stalled."""
        current = float(metrics)
        self.last_epoch = self.last_epoch + 1 if epoch is None else epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during the cooldown do not count
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def _reduce_lr(self) -> None:
        if len(self.optimizer.param_groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(f"the optimizer has {len(self.optimizer.param_groups)} parameter groups "
                                   f"but ReduceLROnPlateau has {len(self.min_lrs)} min_lrs; update min_lrs")
            self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)
        for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs, strict=True):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, min_lr)
            if old_lr - new_lr > self.eps:
                group["lr"] = new_lr

    def _is_better(self, value: float, best: float) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return value < best * (1.0 - self.threshold)
        if self.mode == "min":
            return value < best - self.threshold
        if self.threshold_mode == "rel":
            return value > best * (self.threshold + 1.0)
        return value > best + self.threshold

    def _init_is_better(self, mode: str, threshold: float, threshold_mode: str) -> None:
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode!r} is unknown: use 'min' (a loss) or 'max' (an accuracy)")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode!r} is unknown: use 'rel' or 'abs'")
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        self.__dict__.update(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold, threshold_mode=self.threshold_mode)


__all__ = ["CosineAnnealingLR", "ExponentialLR", "LRScheduler", "LambdaLR", "MultiStepLR",
           "ReduceLROnPlateau", "StepLR"]
