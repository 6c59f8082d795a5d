"""``BaseMLP``: what ``MLPClassifier`` and ``MLPRegressor`` share (parameters, fit, partial_fit, the
forward pass, ``to_module``/``from_module``).

The fitted state is plain data (NumPy arrays in ``coefs_``/``intercepts_``, the optimiser's state as
arrays): each ``fit``/``partial_fit``/``predict`` builds the chainrule network from it (the arrays are
wrapped, not copied, for a forward pass), so a fitted estimator pickles, clones and compares like any
scikit-learn estimator.
"""

from __future__ import annotations

import warnings
from typing import Any, Self

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator
from sklearn.utils import check_array
from sklearn.utils.validation import check_is_fitted, validate_data

from chainrule import nn
from chainrule.sklearn.lbfgs import fit_lbfgs
from chainrule.sklearn.network import (
    ACTIVATIONS,
    build_network,
    export_weights,
    init_network,
    logits,
    network_from,
    parse_network,
)
from chainrule.sklearn.params import (
    Check,
    boolean,
    check_params,
    device_name,
    estimator_device,
    hidden_layer_list,
    interval,
    layer_sizes,
    make_generator,
    one_of,
    random_state,
    verbosity,
)
from chainrule.sklearn.stochastic import fit_stochastic

__all__ = ["BaseMLP"]

_PARAMETER_TABLE: dict[str, Check] = {
    "hidden_layer_sizes": layer_sizes(),
    "activation": one_of(*ACTIVATIONS),  # every name and alias of chainrule.nn.registry's hidden activations
    "solver": one_of("lbfgs", "sgd", "adam"),
    "alpha": interval(0, None),
    "batch_size": interval(1, None, integer=True, also=("auto",)),
    "learning_rate": one_of("constant", "invscaling", "adaptive"),
    "learning_rate_init": interval(0, None, closed="neither"),
    "power_t": interval(0, None),
    "max_iter": interval(1, None, integer=True),
    "shuffle": boolean(),
    "random_state": random_state(),
    "tol": interval(0, None),
    "verbose": verbosity(),
    "warm_start": boolean(),
    "momentum": interval(0, 1),
    "nesterovs_momentum": boolean(),
    "early_stopping": boolean(),
    "validation_fraction": interval(0, 1, closed="left"),
    "beta_1": interval(0, 1, closed="left"),
    "beta_2": interval(0, 1, closed="left"),
    "epsilon": interval(0, None, closed="neither"),
    "n_iter_no_change": interval(1, None, integer=True, also=(np.inf,)),
    "max_fun": interval(1, None, integer=True),
    "device": device_name(),
}


class BaseMLP(BaseEstimator):
    """Shared machinery of the multi-layer perceptron estimators; use ``MLPClassifier``/``MLPRegressor``."""

    # Set by fit (declared for the type checker).
    coefs_: list[np.ndarray]
    intercepts_: list[np.ndarray]
    out_activation_: str
    n_outputs_: int
    loss_curve_: list[float]
    # None until early stopping or the stochastic solvers set them, as in scikit-learn.
    best_loss_: Any
    validation_scores_: Any
    validation_loss_curve_: Any
    best_validation_score_: Any

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *, solver: str = "adam",
                 alpha: float = 0.0001, batch_size: int | str = "auto", learning_rate: str = "constant",
                 learning_rate_init: float = 0.001, power_t: float = 0.5, max_iter: int = 200,
                 shuffle: bool = True, random_state: Any = None, tol: float = 1e-4, verbose: bool | int = False,
                 warm_start: bool = False, momentum: float = 0.9, nesterovs_momentum: bool = True,
                 early_stopping: bool = False, validation_fraction: float = 0.1, beta_1: float = 0.9,
                 beta_2: float = 0.999, epsilon: float = 1e-8, n_iter_no_change: int | float = 10,
                 max_fun: int = 15000, device: Any = "cpu") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.learning_rate_init = learning_rate_init
        self.power_t = power_t
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.verbose = verbose
        self.warm_start = warm_start
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.n_iter_no_change = n_iter_no_change
        self.max_fun = max_fun
        self.device = device

    # -- what the classifier and the regressor provide ----------------------------------------------------
    def _parameter_table(self) -> dict[str, Check]:
        return _PARAMETER_TABLE

    def _validate_input(self, X: Any, y: Any, incremental: bool, reset: bool) -> tuple[Any, np.ndarray, np.ndarray]:
        """``(X, Y, labels)``: checked inputs, the targets as a 2-D array, and y as the score sees it."""
        raise NotImplementedError(f"{type(self).__name__} must define _validate_input (abstract)")

    def _output_activation(self) -> str:
        raise NotImplementedError(f"{type(self).__name__} must define _output_activation (abstract)")

    def _score_logits(self, z: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None) -> float:
        raise NotImplementedError(f"{type(self).__name__} must define _score_logits (abstract)")

    def _stratify_validation(self, target: np.ndarray) -> bool:
        return False

    # -- training -------------------------------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        """Train the network on ``X`` (n_samples, n_features) and ``y`` with the chosen solver, from new
        initial weights (or, with ``warm_start=True``, from the last fit's). Returns ``self``."""
        return self._fit(X, y, sample_weight, incremental=False)

    def _check_solver(self) -> bool:
        if self.solver not in ("sgd", "adam"):
            raise AttributeError(f"partial_fit is only available for stochastic optimizers ('sgd', 'adam'); "
                                 f"{self.solver!r} is not stochastic.")
        return True

    def _fit(self, X: Any, y: Any, sample_weight: Any, incremental: bool) -> Self:
        check_params(self, self._parameter_table())
        device = estimator_device(self)
        first_pass = not hasattr(self, "coefs_") or (not self.warm_start and not incremental)
        X, Y, labels = self._validate_input(X, y, incremental, reset=first_pass)
        sample_weight = self._check_sample_weight(sample_weight, X)
        generator = make_generator(self.random_state)
        hidden = hidden_layer_list(self.hidden_layer_sizes)
        if first_pass:
            self._initialize(Y.shape[1])
            network = build_network([X.shape[1], *hidden, Y.shape[1]], self.activation, X.dtype)
            init_network(network, self.activation, generator)
        else:
            if Y.shape[1] != self.n_outputs_:
                raise ValueError(f"{type(self).__name__}: y has {Y.shape[1]} outputs but the network, fitted "
                                 f"before, has {self.n_outputs_}; refit with warm_start=False")
            network = network_from(self.coefs_, self.intercepts_, self.activation)
            if self.solver != "lbfgs" and not hasattr(self, "_no_improvement_count"):
                self._init_tracking()  # e.g. an lbfgs fit (or from_module) continued with sgd/adam
        network.to(device)  # built (and initialised) on the host, then moved: the same weights everywhere
        dtype = self.coefs_[0].dtype if not first_pass else X.dtype
        X = X.astype(dtype, copy=False)
        sample_weight = None if sample_weight is None else sample_weight.astype(dtype, copy=False)
        if self.out_activation_ == "softmax":
            target = Y.argmax(axis=1).astype(np.int64)
        else:
            target = Y.astype(dtype)

        if self.solver == "lbfgs":
            dense = X.toarray() if sparse.issparse(X) else X
            fit_lbfgs(self, network, dense, target, sample_weight)
        else:
            fit_stochastic(self, network, X, target, labels, sample_weight, incremental, generator)
        if not all(np.isfinite(array).all() for array in [*self.coefs_, *self.intercepts_]):
            raise ValueError("Solver produced non-finite parameter weights. The input data may contain large "
                             "values and need to be preprocessed (e.g. with sklearn.preprocessing.StandardScaler).")
        return self

    def _initialize(self, n_outputs: int) -> None:
        """The attributes a first fit starts from (scikit-learn's ``_initialize``)."""
        self.n_iter_ = 0
        self.t_ = 0
        self.n_outputs_ = n_outputs
        self.n_layers_ = len(hidden_layer_list(self.hidden_layer_sizes)) + 2
        self.out_activation_ = self._output_activation()
        self.loss_curve_ = []
        self.__dict__.pop("_optimizer_state", None)
        if self.solver != "lbfgs":
            self._init_tracking()

    def _init_tracking(self) -> None:
        """What the stochastic solvers track across epochs: the best loss or validation score so far."""
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.validation_loss_curve_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.best_loss_ = np.inf
            self.validation_scores_ = None
            self.validation_loss_curve_ = None
            self.best_validation_score_ = None

    def _check_sample_weight(self, sample_weight: Any, X: Any) -> np.ndarray | None:
        """``sample_weight`` as a float array of shape (n_samples,), non-negative and not all zero."""
        if sample_weight is None:
            return None
        n_samples = X.shape[0]
        if np.isscalar(sample_weight):
            return np.full(n_samples, float(sample_weight))  # type: ignore[arg-type]
        weights = check_array(sample_weight, ensure_2d=False, dtype=(np.float64, np.float32),
                              input_name="sample_weight")
        if weights.ndim != 1 or weights.shape[0] != n_samples:
            raise ValueError(f"{type(self).__name__}.fit: sample_weight must have shape ({n_samples},), one weight "
                             f"per sample of X; got shape {weights.shape}")
        if (weights < 0).any():
            raise ValueError(f"{type(self).__name__}.fit: sample_weight must be non-negative; got minimum "
                             f"{weights.min()}")
        if not weights.any():
            raise ValueError(f"{type(self).__name__}.fit: sample weights must contain at least one non-zero "
                             "number (all weights are zero, so there is nothing to learn from)")
        return weights

    def _batch_size(self, n_samples: int) -> int:
        """scikit-learn's rule: 'auto' is min(200, n_samples); a larger size is clipped, with a warning."""
        if self.batch_size == "auto":
            return min(200, n_samples)
        if int(self.batch_size) > n_samples:
            warnings.warn(f"Got `batch_size` ({self.batch_size}) larger than the number of samples ({n_samples}); "
                          "it is clipped to the number of samples.", stacklevel=4)
        return int(np.clip(self.batch_size, 1, n_samples))

    # -- the forward pass -------------------------------------------------------------------------------------
    def _logits(self, X: Any) -> np.ndarray:
        """The output layer's values before its activation, shape (n_samples, n_outputs_)."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse=["csr", "csc"], dtype=(np.float64, np.float32), reset=False)
        X = X.toarray() if sparse.issparse(X) else X
        network = network_from(self.coefs_, self.intercepts_, self.activation, copy=False)
        network.to(estimator_device(self))  # on a GPU: copies there; on the CPU: nothing moves
        return logits(network, X.astype(self.coefs_[0].dtype, copy=False))

    # -- chainrule modules in and out -----------------------------------------------------------------------
    def to_module(self) -> nn.Sequential:
        """The trained network as a chainrule ``nn.Sequential`` (a copy): ``Linear``, activation, ...,
        ``Linear``, whose output is the logits (apply ``out_activation_`` for probabilities).

        >>> from chainrule.sklearn import MLPClassifier
        >>> import numpy as np
        >>> clf = MLPClassifier((4,), max_iter=5, random_state=0).fit(np.eye(3), [0, 1, 2])
        >>> clf.to_module()[0].weight.shape              # coefs_[0].T: (out_features, in_features)
        (4, 3)
        """
        check_is_fitted(self)
        return network_from(self.coefs_, self.intercepts_, self.activation, copy=True)

    @classmethod
    def _from_network(cls, module: nn.Module, params: dict[str, Any]) -> tuple[Any, list[int], str | None]:
        """A new estimator whose weights are ``module``'s (copied), with its shape-derived attributes set."""
        units, activation, layers, trailing = parse_network(module)
        estimator = cls(**{**params, "hidden_layer_sizes": tuple(units[1:-1]), "activation": activation})
        check_params(estimator, estimator._parameter_table())
        estimator.coefs_, estimator.intercepts_ = export_weights(layers)
        estimator.n_features_in_ = units[0]
        return estimator, units, trailing
