"""Training: ``fit`` (the notes' training algorithm in one call), ``evaluate``, ``predict``, the
``History`` it returns, callbacks and metrics.

>>> import chainrule as cr
>>> X, y = cr.data.moons(n_samples=200, noise=0.1, seed=0)
>>> _ = cr.manual_seed(0)
>>> model = cr.nn.Sequential(cr.nn.Linear(2, 16), cr.nn.ReLU(), cr.nn.Linear(16, 2))
>>> history = cr.fit(model, X, y, loss='cross_entropy', optimizer='adam', lr=0.01, epochs=50,
...                  metrics=['accuracy'], verbose=False)
>>> history.history['accuracy'][-1] > 0.9
True
"""

from __future__ import annotations

from chainrule.train import metrics
from chainrule.train.callbacks import Callback, EarlyStopping, History, LearningRateScheduler, ModelCheckpoint
from chainrule.train.diagnose import Report, diagnose
from chainrule.train.diagnostics import Diagnostics
from chainrule.train.findings import Finding
from chainrule.train.loop import evaluate, fit, predict
from chainrule.train.metrics import accuracy, confusion_matrix, mae, mse, r2
from chainrule.train.progress import PlainProgress, RichProgress

__all__ = [
    "Callback", "Diagnostics", "Finding", "Report", "diagnose",
    "EarlyStopping", "History", "LearningRateScheduler", "ModelCheckpoint", "PlainProgress",
    "RichProgress", "accuracy", "confusion_matrix", "evaluate", "fit", "mae", "metrics", "mse", "predict",
    "r2",
]
