"""The issue's learning claims, through cr.fit: XOR from most seeds, digits to >= 95% test accuracy."""

from __future__ import annotations

import chainrule as cr


def test_xor_is_learned_by_a_2_4_1_network_from_most_seeds() -> None:
    X, y = cr.data.xor()
    learned = 0
    for seed in range(10):
        cr.manual_seed(seed)
        model = cr.nn.Sequential(cr.nn.Linear(2, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1))
        cr.fit(model, X, y, loss="bce_with_logits", optimizer="sgd", lr=0.5, epochs=600, batch_size=None,
               verbose=False)
        predicted = (cr.train.predict(model, X)[:, 0] > 0).astype(int)
        learned += int(predicted.tolist() == [0, 1, 1, 0])
    print(f"XOR learned from {learned}/10 seeds")
    assert learned >= 8


def test_digits_to_95_percent_test_accuracy_with_a_small_mlp() -> None:
    X, y = cr.data.load_dataset("digits")
    X = X / 16.0  # pixel intensities 0..16 -> [0, 1]
    X_train, X_test, y_train, y_test = cr.data.train_test_split(X, y, test_size=0.25, seed=0, stratify=y)
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(64, 64), cr.nn.ReLU(), cr.nn.Linear(64, 10))
    cr.fit(model, X_train, y_train, loss="cross_entropy", optimizer="adam", lr=0.005, epochs=25,
           batch_size=32, verbose=False)
    scores = cr.evaluate(model, X_test, y_test, loss="cross_entropy", metrics=["accuracy"])
    print(f"digits test accuracy {scores['accuracy']:.4f}")
    assert scores["accuracy"] >= 0.95
