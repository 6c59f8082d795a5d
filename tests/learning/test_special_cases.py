"""The one-layer special cases of notes 001 and 003, trained as networks and checked against closed forms:
linear regression (least squares), logistic and softmax regression (scikit-learn's LogisticRegression).

Regularisation mapping: we minimise mean_loss + lambda * R with R = 1/2 ||W||^2 (biases not penalised,
``nn.l2_penalty(model, include_bias=False)``); scikit-learn minimises C * sum_i loss_i + 1/2 ||W||^2.
Dividing the latter by n*C gives ours, so the minimisers agree when C = 1 / (n * lambda).
"""

import numpy as np
from sklearn.datasets import load_iris
from sklearn.linear_model import LogisticRegression

import chainrule as cr
from chainrule import nn

LAMBDA = 0.01
SKLEARN_TIGHT = {"tol": 1e-12, "max_iter": 10_000}


def full_batch_gd(model, loss_fn, X, y, lam, steps, lr=1.0):
    """Full-batch gradient descent (Nesterov momentum, to converge in a few hundred steps) on the
    regularised loss L + lambda * 1/2 ||W||^2, as the notes write it."""
    optimizer = cr.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True)
    inputs, targets = cr.tensor(X), cr.tensor(y)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets) + lam * nn.l2_penalty(model, include_bias=False)
        loss.backward()
        optimizer.step()
    return model


def test_linear_regression_is_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(100, 3))
    y = X @ np.array([1.5, -2.0, 0.5]) + 0.3 + 0.1 * rng.normal(size=100)
    design = np.hstack([X, np.ones((100, 1))])                   # [x, 1] so the last coefficient is b
    solution = np.linalg.lstsq(design, y, rcond=None)[0]

    cr.manual_seed(0)
    model = nn.Linear(3, 1).double()
    cr.fit(model, X, y, loss=nn.MSELoss(), optimizer=cr.optim.SGD(model.parameters(), lr=0.3), epochs=300,
           batch_size=None, shuffle=False, verbose=False)     # full-batch gradient descent on the MSE
    # tolerance: 1e-8 (GD contracts the error by about 0.4 per step here; 300 steps reach round-off)
    np.testing.assert_allclose(model.weight.data[0], solution[:3], atol=1e-8)
    np.testing.assert_allclose(model.bias.data[0], solution[3], atol=1e-8)


def test_logistic_regression_matches_sklearn_with_l2():
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal([-1.0, -0.5], 1.0, (100, 2)), rng.normal([1.0, 0.5], 1.0, (100, 2))])
    y = np.repeat([0.0, 1.0], 100)                               # overlapping classes: a finite optimum
    cr.manual_seed(0)
    model = full_batch_gd(nn.Linear(2, 1).double(), nn.BCEWithLogitsLoss(), X, y[:, None], LAMBDA, steps=400)
    reference = LogisticRegression(C=1 / (len(X) * LAMBDA), **SKLEARN_TIGHT).fit(X, y)
    # tolerance: 1e-6 on every coefficient (both solvers converge far below it)
    np.testing.assert_allclose(model.weight.data, reference.coef_, atol=1e-6)
    np.testing.assert_allclose(model.bias.data, reference.intercept_, atol=1e-6)
    with cr.no_grad():
        probability = model(cr.tensor(X)).sigmoid().numpy()[:, 0]
    np.testing.assert_allclose(probability, reference.predict_proba(X)[:, 1], atol=1e-6)


def test_softmax_regression_matches_sklearn_with_l2():
    iris = load_iris()
    X = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    y = iris.target
    cr.manual_seed(0)
    model = nn.Linear(4, 3).double()
    with cr.no_grad():
        model.bias.zero_()
    full_batch_gd(model, nn.CrossEntropyLoss(), X, y, LAMBDA, steps=400)
    reference = LogisticRegression(C=1 / (len(X) * LAMBDA), **SKLEARN_TIGHT).fit(X, y)
    # Softmax is unchanged by adding one constant to every bias, and the biases are not penalised, so
    # they are defined up to that constant: compare them centred (scikit-learn centres its own; the
    # bias gradients sum to 0, so ours keep the sum 0 they start with).
    bias = model.bias.data
    # tolerance: 1e-5 (scikit-learn's lbfgs stops within ~1e-6 of the optimum here)
    np.testing.assert_allclose(model.weight.data, reference.coef_, atol=1e-5)
    centred = reference.intercept_ - reference.intercept_.mean()
    np.testing.assert_allclose(bias - bias.mean(), centred, atol=1e-5)
    with cr.no_grad():
        probability = model(cr.tensor(X)).softmax(dim=1).numpy()
    np.testing.assert_allclose(probability, reference.predict_proba(X), atol=1e-5)
    assert (probability.argmax(axis=1) == y).mean() > 0.9


def test_stronger_penalty_shrinks_weights_as_sklearn():
    iris = load_iris()
    X = (iris.data - iris.data.mean(axis=0)) / iris.data.std(axis=0)
    norms = []
    for lam in (0.1, 1.0):
        model = nn.Linear(4, 3).double()
        with cr.no_grad():
            model.bias.zero_()
        full_batch_gd(model, nn.CrossEntropyLoss(), X, iris.target, lam, steps=200, lr=0.5)
        reference = LogisticRegression(C=1 / (len(X) * lam), **SKLEARN_TIGHT).fit(X, iris.target)
        np.testing.assert_allclose(model.weight.data, reference.coef_, atol=1e-5)
        norms.append(np.linalg.norm(model.weight.data))
    assert norms[1] < 0.5 * norms[0]            # ten times the penalty: much smaller weights
