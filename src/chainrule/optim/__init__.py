"""Optimisers: the update rules that turn gradients into better parameters (PyTorch's ``torch.optim``).

``SGD`` (with momentum, Nesterov, weight decay), ``Adam``, ``AdamW``, ``RMSprop`` and ``Adagrad``, each
with PyTorch's exact update rule written in its docstring, and ``lr_scheduler`` for learning-rate
schedules (``cr.optim.lr_scheduler.StepLR`` ...).

>>> import chainrule as cr
>>> w = cr.tensor([1.0, -2.0], requires_grad=True)
>>> optimizer = cr.optim.SGD([w], lr=0.1)
>>> loss = (w * w).sum()
>>> optimizer.zero_grad(); loss.backward(); optimizer.step()
"""

from chainrule.optim import lr_scheduler
from chainrule.optim.adagrad import Adagrad
from chainrule.optim.adam import Adam
from chainrule.optim.adamw import AdamW
from chainrule.optim.optimizer import Optimizer
from chainrule.optim.rmsprop import RMSprop
from chainrule.optim.sgd import SGD

__all__ = ["SGD", "Adagrad", "Adam", "AdamW", "Optimizer", "RMSprop", "lr_scheduler"]
