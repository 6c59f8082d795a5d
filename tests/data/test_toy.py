"""Toy data sets: shapes, dtypes, seeds and content."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import toy

GENERATED = {
    "circles": lambda seed: toy.circles(60, noise=0.1, seed=seed),
    "moons": lambda seed: toy.moons(60, noise=0.1, seed=seed),
    "spirals": lambda seed: toy.spirals(60, n_arms=3, noise=0.1, seed=seed),
    "rings": lambda seed: toy.rings(60, n_rings=3, seed=seed),
    "blobs": lambda seed: toy.blobs(60, centers=4, seed=seed),
    "linear": lambda seed: toy.linear(60, seed=seed),
    "sine": lambda seed: toy.sine(60, seed=seed),
    "xor": lambda seed: toy.xor(60, noise=0.1, seed=seed),
}


@pytest.mark.parametrize("name", sorted(GENERATED))
def test_shapes_dtypes_and_seeds(name: str) -> None:
    X, y = GENERATED[name](0)
    assert X.dtype == np.float32 and X.ndim == 2 and len(X) == 60
    if name in ("linear", "sine"):
        assert y.dtype == np.float32 and y.shape == (60, 1)
    else:
        assert y.dtype == np.int64 and y.shape == (60,)
    X_again, y_again = GENERATED[name](0)
    np.testing.assert_array_equal(X, X_again)
    np.testing.assert_array_equal(y, y_again)
    X_other, _ = GENERATED[name](1)
    assert not np.array_equal(X, X_other)


def test_seed_none_uses_the_shared_generator() -> None:
    cr.manual_seed(7)
    first = toy.moons(40, noise=0.2)[0]
    cr.manual_seed(7)
    np.testing.assert_array_equal(toy.moons(40, noise=0.2)[0], first)


@pytest.mark.parametrize(("gate", "outputs"), [
    ("and", [0, 0, 0, 1]), ("or", [0, 1, 1, 1]), ("nand", [1, 1, 1, 0]), ("nor", [1, 0, 0, 0]),
    ("xor", [0, 1, 1, 0]),
])
def test_logic_gate_truth_tables(gate: str, outputs: list[int]) -> None:
    X, y = toy.logic_gate(gate)
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == outputs and y.dtype == np.int64 and X.dtype == np.float32


def test_not_gate_and_xor_truth_table() -> None:
    X, y = toy.logic_gate("not")
    assert X.tolist() == [[0], [1]] and y.tolist() == [1, 0]
    X, y = toy.xor()
    assert X.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and y.tolist() == [0, 1, 1, 0]
    with pytest.raises(ValueError, match="valid gates: and, or, nand, nor, xor, not"):
        toy.logic_gate("implies")


def test_noisy_xor_labels_follow_the_nearest_corner() -> None:
    X, y = toy.xor(200, noise=0.1, seed=0)
    corner = (X > 0.5).astype(int)
    np.testing.assert_array_equal(y, corner[:, 0] ^ corner[:, 1])


def test_circles_radii_and_labels() -> None:
    X, y = toy.circles(100, noise=0.0, factor=0.3, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(radius[y == 0], 1.0, rtol=1e-6)
    np.testing.assert_allclose(radius[y == 1], 0.3, rtol=1e-6)
    assert (y == 0).sum() == 50


def test_moons_match_scikit_learn_without_noise() -> None:
    from sklearn.datasets import make_moons

    X, y = toy.moons(50, seed=0)
    X_ref, y_ref = make_moons(50, shuffle=False)
    ours = sorted(map(tuple, np.round(np.c_[X, y], 5).tolist()))
    theirs = sorted(map(tuple, np.round(np.c_[X_ref, y_ref], 5).tolist()))
    assert ours == theirs


def test_spiral_arms_are_rotations_of_each_other() -> None:
    n_arms = 3
    X, y = toy.spirals(90, n_arms=n_arms, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [30, 30, 30]

    def arm(k: int) -> np.ndarray:
        points = X[y == k].astype(np.float64)
        return points[np.argsort(np.hypot(points[:, 0], points[:, 1]))]

    for k in range(1, n_arms):
        angle = -2 * np.pi * k / n_arms
        rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
        np.testing.assert_allclose(arm(k) @ rotation.T, arm(0), atol=1e-5)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert radius.max() == pytest.approx(1.0) and radius.min() > 0


def test_rings_are_separated_by_radius() -> None:
    X, y = toy.rings(300, n_rings=3, noise=0.05, seed=0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.all(np.abs(radius - (y + 1)) < 0.4)


def test_blobs_cluster_around_given_centres() -> None:
    centres = np.array([[0.0, 0.0], [10.0, 10.0]])
    X, y = toy.blobs(400, centers=centres, cluster_std=0.5, seed=0)
    for k in range(2):
        np.testing.assert_allclose(X[y == k].mean(axis=0), centres[k], atol=0.15)
        assert X[y == k].std(axis=0) == pytest.approx([0.5, 0.5], abs=0.08)


def test_regression_sets_follow_their_formula() -> None:
    X, y = toy.linear(200, slope=3.0, intercept=-1.0, noise=0.0, seed=0)
    np.testing.assert_allclose(y[:, 0], 3.0 * X[:, 0] - 1.0, atol=1e-5)
    assert X.min() >= -1 and X.max() <= 1
    X, y = toy.linear(50, slope=[1.0, -2.0], intercept=0.5, noise=0.0, seed=0)
    np.testing.assert_allclose(y[:, 0], X @ np.array([1.0, -2.0]) + 0.5, atol=1e-5)
    X, y = toy.sine(200, noise=0.0, frequency=2.0, seed=0)
    np.testing.assert_allclose(y[:, 0], np.sin(2.0 * X[:, 0]), atol=1e-5)
    assert X.min() >= -np.pi and X.max() <= np.pi


def test_invalid_arguments_raise() -> None:
    with pytest.raises(ValueError, match="noise"):
        toy.moons(10, noise=-1.0)
    with pytest.raises(ValueError, match="factor"):
        toy.circles(10, factor=1.5)
    with pytest.raises(ValueError, match="n_samples"):
        toy.blobs(0)
    with pytest.raises(ValueError, match="n_arms"):
        toy.spirals(10, n_arms=0)
