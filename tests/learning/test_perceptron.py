"""Rosenblatt's perceptron (notes 001 and 004): it learns AND, OR, NOT (and NAND, NOR) and fails on XOR."""

import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.perceptron import (
    NotLinearlySeparableWarning,
    PerceptronConvergenceWarning,
    linear_separability,
)

CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])
GATES = {
    "AND": [0, 0, 0, 1],
    "OR": [0, 1, 1, 1],
    "NAND": [1, 1, 1, 0],
    "NOR": [1, 0, 0, 0],
}


@pytest.mark.parametrize("gate", sorted(GATES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_learns_the_linearly_separable_gates(gate, seed):
    labels = np.array(GATES[gate])
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # converging must not warn
        p = cr.Perceptron(2, seed=seed).fit(CORNERS, labels)
    assert p.converged_
    assert p.predict(CORNERS).tolist() == GATES[gate]
    assert p.errors_[-1] == 0 and all(e > 0 for e in p.errors_[:-1])
    assert p.n_epochs_ == len(p.errors_) < 100
    assert p.history_.shape == (p.n_epochs_ + 1, 3)
    np.testing.assert_array_equal(p.history_[-1], np.append(p.weight, p.bias))


def test_learns_not_with_one_input():
    p = cr.Perceptron(1, seed=3).fit([0, 1], [1, 0])        # NOT: one input, a plain list works
    assert p.converged_
    assert p.predict([[0], [1]]).tolist() == [1, 0]
    assert p.weight.shape == (1,) and p.weight[0] < 0 < p.bias


def test_and_traced_by_hand_from_zero_weights():
    # Start at w = (0, 0), b = 0, lr = 1; samples in order (0,0)->0, (0,1)->0, (1,0)->0, (1,1)->1;
    # step(z) = 1 only if z > 0. Traced by hand:
    # epoch 1: only (1,1) is wrong (z=0 -> 0):        w=(1,1), b=1                     1 mistake
    # epoch 2: (0,0) z=1 wrong -> w=(1,1), b=0; (0,1) z=1 wrong -> w=(1,0), b=-1;
    #          (1,0) z=0 ok; (1,1) z=0 wrong -> w=(2,1), b=0                               3 mistakes
    # epoch 3: (0,1) z=1 wrong -> (2,0),-1; (1,0) z=1 wrong -> (1,0),-2; (1,1) z=-1 wrong -> (2,1),-1   3
    # epoch 4: (1,0) z=1 wrong -> (1,1),-2; (1,1) z=0 wrong -> (2,2),-1                   2 mistakes
    # epoch 5: (0,1) z=1 wrong -> (2,1),-2                                                  1 mistake
    # epoch 6: z = -2, -1, 0, 1 -> 0, 0, 0, 1: no mistake, converged with w = (2, 1), b = -2.
    p = cr.Perceptron(2, lr=1.0)
    p.weight, p.bias = [0.0, 0.0], 0.0                       # hand-set starting point, plain Python numbers
    p.fit(CORNERS, np.array(GATES["AND"]))
    assert p.errors_ == [1, 3, 3, 2, 1, 0]
    assert p.weight.tolist() == [2.0, 1.0] and float(p.bias) == -2.0
    assert p.history_[1].tolist() == [1.0, 1.0, 1.0]


def test_xor_does_not_converge_and_says_why():
    xor = np.array([0, 1, 1, 0])
    p = cr.Perceptron(2, seed=0)
    with pytest.warns(NotLinearlySeparableWarning) as caught:
        p.fit(CORNERS, xor, max_epochs=30)
    assert issubclass(NotLinearlySeparableWarning, UserWarning)
    assert not p.converged_ and p.n_epochs_ == 30 and min(p.errors_) > 0
    message = str(caught[0].message)
    assert "no straight line separates" in message and "hidden layer" in message
    # the witness: (0.5, 0.5) is the midpoint of the class-1 corners and of the class-0 corners
    assert "(0.5, 0.5)" in message
    wrong = np.flatnonzero(p.predict(CORNERS) != xor)
    assert len(wrong) >= 1
    for i in wrong:                                         # every point still wrong is named
        assert f"({CORNERS[i, 0]}, {CORNERS[i, 1]}) (label {xor[i]}" in message
    assert p.separability_ is not None and not p.separability_.separable


def test_separable_but_too_few_epochs_warns_differently():
    p = cr.Perceptron(2, seed=0)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        p.fit(CORNERS, np.array(GATES["AND"]), max_epochs=1)
    assert len(caught) == 1
    assert issubclass(caught[0].category, PerceptronConvergenceWarning)
    assert not issubclass(caught[0].category, NotLinearlySeparableWarning)
    assert "linearly separable" in str(caught[0].message)


def test_linear_separability_line_and_witness():
    result = linear_separability(CORNERS, GATES["AND"])
    assert result and result.separable
    margins = CORNERS @ result.weight + result.bias
    assert np.all(margins[:3] <= -1 + 1e-9) and margins[3] >= 1 - 1e-9

    xor = linear_separability(CORNERS, [0, 1, 1, 0])
    assert not xor
    np.testing.assert_allclose(xor.witness, [0.5, 0.5], atol=1e-9)
    # the witness is an average of class-1 points and of class-0 points (weights >= 0 summing to 1)
    for points, coefficients in [(xor.class1_points, xor.class1_coefficients),
                                 (xor.class0_points, xor.class0_coefficients)]:
        assert np.all(coefficients >= 0)
        np.testing.assert_allclose(coefficients.sum(), 1.0, atol=1e-9)
        np.testing.assert_allclose(coefficients @ points, [0.5, 0.5], atol=1e-9)
    assert "(0.5, 0.5)" in xor.explain()


def test_same_seed_same_weights():
    a = cr.Perceptron(3, seed=7)
    b = cr.Perceptron(3, seed=7)
    np.testing.assert_array_equal(a.weight, b.weight)
    cr.manual_seed(5)
    c = cr.Perceptron(3)
    cr.manual_seed(5)
    d = cr.Perceptron(3)
    np.testing.assert_array_equal(np.append(c.weight, c.bias), np.append(d.weight, d.bias))
    assert np.all(np.abs(c.weight) <= 0.5)


def test_errors_teach():
    p = cr.Perceptron(2)
    with pytest.raises(ValueError, match=r"labels must be 0 or 1.*\[-1\]"):
        p.fit(CORNERS, [-1, 1, 1, 1])
    with pytest.raises(ValueError, match=r"n_inputs=2.*shape \(n_samples, 2\), got shape \(4, 3\)"):
        p.fit(np.zeros((4, 3)), [0, 0, 0, 1])
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        p.fit(CORNERS, [0, 1])
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        cr.Perceptron(2, lr=-1)
    with pytest.raises(ValueError, match="n_inputs must be a positive integer"):
        cr.Perceptron(0)
    with pytest.raises(ValueError, match="max_epochs"):
        p.fit(CORNERS, [0, 0, 0, 1], max_epochs=0)
