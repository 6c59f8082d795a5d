"""The 'lbfgs' solver: scipy's L-BFGS-B on the whole data set, with the loss and its gradient from
chainrule's engine.

L-BFGS works on one flat vector ``theta`` of every weight and bias. Each time scipy asks for the loss at
a ``theta``, the vector is copied into the network's parameters, the full-batch loss is computed and
``backward`` fills every ``.grad``; the gradients, flattened in the same order, are the ``jac``.
The order is scikit-learn's: every ``coefs_[i]`` (fan_in, fan_out) row by row, then every
``intercepts_[i]``.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from chainrule import nn
from chainrule.autograd.grad_mode import no_grad
from chainrule.autograd.tensor import Tensor
from chainrule.sklearn.losses import data_loss, l2_penalty, poisson_constant
from chainrule.sklearn.network import export_weights, linear_layers

if TYPE_CHECKING:
    from chainrule.sklearn.base import BaseMLP

__all__ = ["fit_lbfgs"]


def _views(network: nn.Sequential) -> list[np.ndarray]:
    """The parameters' arrays in scikit-learn's order and layout (coefs_ as (fan_in, fan_out) views)."""
    layers = linear_layers(network)
    return [layer.weight.data.T for layer in layers] + [layer.bias.data for layer in layers]  # type: ignore[union-attr]


def _gradients(network: nn.Sequential) -> list[np.ndarray]:
    layers = linear_layers(network)
    return ([layer.weight.grad.data.T for layer in layers]  # type: ignore[union-attr]
            + [layer.bias.grad.data for layer in layers])  # type: ignore[union-attr]


def fit_lbfgs(estimator: BaseMLP, network: nn.Sequential, X: np.ndarray, target: np.ndarray,
              sample_weight: np.ndarray | None) -> None:
    """Minimise the full-batch loss over ``network``'s parameters with L-BFGS-B (at most ``max_iter``
    iterations and ``max_fun`` loss evaluations, stopping when the largest gradient entry is below
    ``tol``), then store ``coefs_``, ``intercepts_``, ``loss_``, ``loss_curve_`` and ``n_iter_``."""
    views = _views(network)
    sizes = [view.size for view in views]
    bounds = np.cumsum([0, *sizes])
    weights = [layer.weight for layer in linear_layers(network)]
    parameters = weights + [layer.bias for layer in linear_layers(network)]
    weight_sum = float(X.shape[0] if sample_weight is None else sample_weight.sum())
    constant = poisson_constant(target, sample_weight) if estimator.out_activation_ == "exp" else 0.0
    features = Tensor._wrap(X)

    def unpack(theta: np.ndarray) -> None:
        for view, start, stop in zip(views, bounds[:-1], bounds[1:], strict=True):
            view[...] = theta[start:stop].reshape(view.shape)

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        unpack(theta)
        for parameter in parameters:
            parameter.grad = None
        loss = data_loss(estimator.out_activation_, network(features), target, sample_weight)
        penalty = l2_penalty(weights, float(estimator.alpha), weight_sum)  # type: ignore[arg-type]
        if penalty is not None:
            loss = loss + penalty
        loss.backward()
        gradient = np.concatenate([g.ravel() for g in _gradients(network)]).astype(np.float64, copy=False)
        return loss.item() + constant, gradient

    curve: list[float] = []

    def record(intermediate_result: Any) -> None:
        curve.append(float(intermediate_result.fun))
        if estimator.verbose:
            print(f"Iteration {len(curve)}, loss = {curve[-1]:.8f}")

    start = np.concatenate([view.ravel() for view in views]).astype(np.float64)
    result = scipy.optimize.minimize(
        loss_and_gradient, start, method="L-BFGS-B", jac=True, callback=record,
        options={"maxfun": estimator.max_fun, "maxiter": estimator.max_iter, "gtol": estimator.tol},
    )
    with no_grad():
        unpack(result.x)
    for parameter in parameters:
        parameter.grad = None
    if not result.success:
        message = result.message.decode() if isinstance(result.message, bytes) else str(result.message)
        warnings.warn(f"lbfgs failed to converge after {result.nit} iteration(s) (status={result.status}): "
                      f"{message}. Increase the number of iterations (max_iter) or loss evaluations (max_fun), "
                      "or scale the data (e.g. sklearn.preprocessing.StandardScaler).", ConvergenceWarning,
                      stacklevel=4)
    estimator.n_iter_ = min(int(result.nit), int(estimator.max_iter))
    estimator.loss_ = float(result.fun)
    estimator.loss_curve_ = (getattr(estimator, "loss_curve_", None) or []) + curve
    estimator.coefs_, estimator.intercepts_ = export_weights(linear_layers(network))
