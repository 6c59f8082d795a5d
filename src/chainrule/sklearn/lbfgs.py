"""The 'lbfgs' solver: scipy's L-BFGS-B on the whole data set, with the loss and its gradient from
chainrule's engine.

L-BFGS works on one flat vector ``theta`` of every weight and bias. Each time scipy asks for the loss at
a ``theta``, the vector is copied into the network's parameters, the full-batch loss is computed and
``backward`` fills every ``.grad``; the gradients, flattened in the same order, are the ``jac``.
The order is scikit-learn's: every ``coefs_[i]`` (fan_in, fan_out) row by row, then every
``intercepts_[i]``. scipy works on the host: on a GPU ``theta`` is copied to the device for each
evaluation and the gradient vector back, the only transfers per step.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy.optimize
from sklearn.exceptions import ConvergenceWarning

from chainrule import backend, nn
from chainrule.sklearn.losses import data_loss, l2_penalty, reported
from chainrule.sklearn.network import export_weights, linear_layers
from chainrule.train.evaluation import model_device, on_device

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
    device = model_device(network)
    features = on_device(X, device)
    xp = backend.namespace_of(views[0])  # the array library of the parameters' device
    out_activation = estimator.out_activation_
    # The reported loss (scikit-learn's loss_) of the last point evaluated, for loss_ and loss_curve_.
    last: dict[str, Any] = {}

    def unpack(theta: np.ndarray) -> None:
        theta = backend.to_device(theta.astype(views[0].dtype, copy=False), device)
        for view, start, stop in zip(views, bounds[:-1], bounds[1:], strict=True):
            view[...] = theta[start:stop].reshape(view.shape)

    def loss_and_gradient(theta: np.ndarray) -> tuple[float, np.ndarray]:
        unpack(theta)
        for parameter in parameters:
            parameter.grad = None
        data_term = data_loss(out_activation, network(features), target, sample_weight)
        penalty = l2_penalty(weights, float(estimator.alpha), weight_sum)  # type: ignore[arg-type]
        loss = data_term if penalty is None else data_term + penalty
        loss.backward()
        flat = xp.concatenate([g.ravel() for g in _gradients(network)])
        gradient = backend.to_host(flat).astype(np.float64, copy=False)
        last["x"] = theta.copy()
        last["loss"] = reported(out_activation, data_term.item(), 0.0 if penalty is None else penalty.item(),
                                target, sample_weight)
        return loss.item(), gradient

    curve: list[float] = []

    def record(intermediate_result: Any) -> None:
        if not np.array_equal(intermediate_result.x, last["x"]):
            loss_and_gradient(intermediate_result.x)
        curve.append(last["loss"])
        if estimator.verbose:
            print(f"Iteration {len(curve)}, loss = {curve[-1]:.8f}")

    start = backend.to_host(xp.concatenate([view.ravel() for view in views])).astype(np.float64)
    result = scipy.optimize.minimize(
        loss_and_gradient, start, method="L-BFGS-B", jac=True, callback=record,
        options={"maxfun": estimator.max_fun, "maxiter": estimator.max_iter, "gtol": estimator.tol},
    )
    if "x" not in last or not np.array_equal(result.x, last["x"]):
        loss_and_gradient(result.x)
    for parameter in parameters:
        parameter.grad = None
    if not result.success:
        message = result.message.decode() if isinstance(result.message, bytes) else str(result.message)
        warnings.warn(f"lbfgs failed to converge after {result.nit} iteration(s) (status={result.status}): "
                      f"{message}. Increase the number of iterations (max_iter) or loss evaluations (max_fun), "
                      "or scale the data (e.g. sklearn.preprocessing.StandardScaler).", ConvergenceWarning,
                      stacklevel=4)
    estimator.n_iter_ = min(int(result.nit), int(estimator.max_iter))
    estimator.loss_ = float(last["loss"])
    estimator.loss_curve_ = (getattr(estimator, "loss_curve_", None) or []) + curve
    estimator.coefs_, estimator.intercepts_ = export_weights(linear_layers(network))
