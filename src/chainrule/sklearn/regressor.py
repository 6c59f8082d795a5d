"""``MLPRegressor``: scikit-learn's multi-layer perceptron regressor, trained by chainrule."""

from __future__ import annotations

from typing import Any, Self

import numpy as np
from sklearn.base import RegressorMixin
from sklearn.metrics import r2_score
from sklearn.utils import column_or_1d
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import validate_data

from chainrule import nn
from chainrule.sklearn.base import _PARAMETER_TABLE, BaseMLP
from chainrule.sklearn.network import check_output_module
from chainrule.sklearn.params import Check, one_of

__all__ = ["MLPRegressor"]

_LOSS_NAMES = one_of("squared_error", "poisson")


def _check_loss(value: Any) -> str | None:
    """The row of the parameter table for ``loss``."""
    expected = _LOSS_NAMES(value)
    if expected is not None and not isinstance(value, str):
        # MLPRegressor((64,)) sets loss, not the layers: scikit-learn's signature starts with loss.
        expected += " (the first positional argument of MLPRegressor is loss, as in scikit-learn: write " \
                    "MLPRegressor(hidden_layer_sizes=...))"
    return expected


class MLPRegressor(RegressorMixin, BaseMLP):
    """Multi-layer perceptron regressor with scikit-learn's interface, parameters and defaults, trained by
    chainrule's autograd engine and optimisers.

    The network is ``Linear -> activation -> ... -> Linear`` with an identity output (``loss=
    'squared_error'``) or an exponential one (``loss='poisson'``, for counts), and minimises

        squared_error:  1/2 * mean over samples of the squared error summed over the outputs
        poisson:        mean over samples of sum over outputs of (exp(z) - y z + y ln y - y)

    plus ``alpha / 2 * sum ||W||^2 / n_samples`` (means weighted by ``sample_weight``): the quantities whose
    gradients scikit-learn's solvers follow. As in scikit-learn, ``loss_`` reports the squared error averaged
    over the outputs as well (the same number with one output); L-BFGS is given the minimised quantity with
    its own gradient (scikit-learn hands it the reported value with the other's gradient). Solvers,
    schedules, early stopping and attributes are those of scikit-learn's ``MLPRegressor``; ``activation``
    may also be ``'leaky_relu'``, ``'elu'`` or ``'gelu'``; ``validation_loss_curve_``, ``to_module()``,
    ``MLPRegressor.from_module(module)`` and ``device`` (``'cpu'``, ``'cuda'``: where the network trains;
    fitted attributes stay NumPy arrays) are extras.

    >>> import numpy as np
    >>> from chainrule.sklearn import MLPRegressor
    >>> X = np.linspace(-1, 1, 50).reshape(-1, 1)
    >>> reg = MLPRegressor(hidden_layer_sizes=(16,), solver="lbfgs", random_state=0).fit(X, 3 * X.ravel() + 1)
    >>> round(reg.score(X, 3 * X.ravel() + 1), 3)
    1.0
    """

    def __init__(self, loss: str = "squared_error", hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 0.0001, batch_size: int | str = "auto",
                 learning_rate: str = "constant", learning_rate_init: float = 0.001, power_t: float = 0.5,
                 max_iter: int = 200, shuffle: bool = True, random_state: Any = None, tol: float = 1e-4,
                 verbose: bool | int = False, warm_start: bool = False, momentum: float = 0.9,
                 nesterovs_momentum: bool = True, early_stopping: bool = False, validation_fraction: float = 0.1,
                 beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int | float = 10,
                 max_fun: int = 15000, device: Any = "cpu") -> None:
        super().__init__(
            hidden_layer_sizes=hidden_layer_sizes, activation=activation, solver=solver, alpha=alpha,
            batch_size=batch_size, learning_rate=learning_rate, learning_rate_init=learning_rate_init,
            power_t=power_t, max_iter=max_iter, shuffle=shuffle, random_state=random_state, tol=tol, verbose=verbose,
            warm_start=warm_start, momentum=momentum, nesterovs_momentum=nesterovs_momentum,
            early_stopping=early_stopping, validation_fraction=validation_fraction, beta_1=beta_1, beta_2=beta_2,
            epsilon=epsilon, n_iter_no_change=n_iter_no_change, max_fun=max_fun, device=device,
        )
        self.loss = loss

    def _parameter_table(self) -> dict[str, Check]:
        return {"loss": _check_loss, **_PARAMETER_TABLE}

    def _output_activation(self) -> str:
        return "exp" if self.loss == "poisson" else "identity"

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[Any, np.ndarray, np.ndarray]:
        X, y = validate_data(self, X, y, accept_sparse=["csr", "csc"], multi_output=True, y_numeric=True,
                             dtype=(np.float64, np.float32), reset=reset)
        if y.ndim == 2 and y.shape[1] == 1:
            y = column_or_1d(y, warn=True)
        if self.loss == "poisson" and (y < 0).any():
            raise ValueError(f"MLPRegressor(loss='poisson'): y must be non-negative (counts or rates); got minimum "
                             f"{y.min()}")
        return X, (y.reshape(-1, 1) if y.ndim == 1 else y), y

    def _predictions(self, z: np.ndarray) -> np.ndarray:
        values = np.exp(z) if self.out_activation_ == "exp" else z
        return values.ravel() if values.shape[1] == 1 else values

    def _score_logits(self, z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        predictions = self._predictions(z)
        if not np.isfinite(predictions).all():
            return float("nan")
        return float(r2_score(y, predictions, sample_weight=sample_weight))

    @available_if(BaseMLP._check_solver)
    def partial_fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """One epoch over ``X``, ``y`` (stochastic solvers only), continuing from the current weights and
        optimiser state."""
        return self._fit(X, y, sample_weight, incremental=True)

    def predict(self, X: Any) -> np.ndarray:
        """The predicted values, shape (n_samples,) or (n_samples, n_outputs)."""
        return self._predictions(self._logits(X))

    @classmethod
    def from_module(cls, module: nn.Module, **params: Any) -> MLPRegressor:
        """A fitted regressor whose network is ``module`` (a ``Sequential`` of ``Linear`` layers with one
        activation between them, as ``to_module`` returns), its weights copied; ``params`` are
        constructor parameters (e.g. ``warm_start=True`` to train on from these weights).

        >>> from chainrule import nn
        >>> module = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
        >>> MLPRegressor.from_module(module).predict([[0.5, -1.0]]).shape
        (1,)
        """
        estimator, units, trailing = cls._from_network(module, params)
        estimator._initialize(units[-1])
        check_output_module(trailing, estimator.out_activation_, "regressor")
        return estimator

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        tags.target_tags.multi_output = True
        return tags
