"""The playground's server side without a browser: settings checks, warnings, sessions."""

from __future__ import annotations

import numpy as np
import pytest

from chainrule.playground.health import training_warnings
from chainrule.playground.session import Session
from chainrule.playground.settings import SettingsError, validate


@pytest.mark.parametrize(("settings", "message"), [
    ({"dataset": "mnist"}, "dataset = 'mnist' is not one of: xor, circles"),
    ({"lr": -1}, "lr = -1 is outside"),
    ({"lr": float("nan")}, "lr must be a number"),
    ({"layers": [4, 40], "activations": ["tanh", "tanh"]}, "neurons in a layer = 40 is outside 1 to 32"),
    ({"layers": [4], "activations": []}, "one activation per hidden layer (1)"),
    ({"features": []}, "features must be a non-empty list"),
    ({"features": ["x3"]}, "feature = 'x3' is not one of"),
    ({"speed": 3}, "unknown setting(s) speed"),
    ({"points": [[1, 2]]}, "each added point must be [x1, x2, label]"),
    ({"samples": 20.5}, "samples must be a whole number"),
])
def test_bad_settings_are_refused_with_what_is_allowed(settings, message):
    with pytest.raises(SettingsError) as error:
        validate(settings)
    assert message in str(error.value)


def test_warnings_name_divergence_and_a_growing_loss():
    assert "diverged" in training_warnings([1.0, float("nan")])[0]
    assert "grown for 5 epochs" in training_warnings([1.0, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0])[0]
    assert training_warnings([1.0, 0.9, 0.8]) == []


def test_the_health_check_shows_what_diagnose_finds_with_the_pages_layer_name():
    healthy = Session()
    for _ in range(60):      # the default network, trained: its sigmoid output is confident, not saturated
        healthy.run_epoch()
    assert healthy.frame()["findings"] == [] and healthy.history["test_acc"][-1] > 0.9
    session = Session()
    session.configure({"dataset": "circles", "layers": [8, 8], "activations": ["relu", "relu"]})
    for _ in range(3):
        session.run_epoch()
    assert session.frame()["findings"] == []
    session.model[2].bias.data[...] = -50.0                      # z < 0 for every point: the 2nd ReLU layer dies
    session.step()
    (finding,) = session.frame()["findings"]
    assert finding["kind"] == "dead_relu" and finding["module"] == "3"
    assert finding["layer"] == "hidden layer 2 (ReLU)" and finding["value"] == 1.0
    assert "LeakyReLU" in finding["message"]
    session.configure({"dataset": "plane", "optimizer": "sgd", "lr": 5, "batching": "full"})
    kinds = {(f["kind"], f["layer"]) for f in session.frame()["findings"]}
    assert ("learning_rate", "output layer (Linear)") in kinds


@pytest.mark.parametrize("settings", [
    {"dataset": "spirals", "layers": [8, 8], "optimizer": "adam"},
    {"dataset": "blobs", "classes": 3, "optimizer": "momentum", "regularization": "l2", "reg_rate": 0.01},
    {"dataset": "plane", "optimizer": "sgd", "batching": "full", "regularization": "l1", "output": "linear_huber"},
    {"dataset": "xor", "activations": ["relu", "sigmoid"], "batching": "stochastic", "samples": 40},
])
def test_a_compiled_session_trains_to_the_same_numbers_as_an_eager_one(settings):
    eager, compiled = Session(use_compile=False), Session()
    eager.configure(settings)
    compiled.configure(settings)
    for _ in range(3):
        eager.run_epoch()
        compiled.run_epoch()
        compiled.frame()                             # the health check between epochs changes nothing
    assert compiled.compiled is not None and compiled.compiled.replays >= compiled.steps - 4
    for mine, theirs in zip(compiled.model.parameters(), eager.model.parameters(), strict=True):
        assert np.array_equal(mine.data, theirs.data) and np.array_equal(mine.grad.data, theirs.grad.data)
    assert compiled.history == eager.history and compiled.steps == eager.steps > 2


def test_a_step_the_compiler_cannot_replay_falls_back_to_eager_with_the_same_numbers():
    sessions = [Session(use_compile=False), Session()]
    for session in sessions:
        session.configure({"dataset": "xor", "batching": "full"})
        session.model[0].register_forward_hook(lambda module, inputs, output: None)   # Python code per call
        for _ in range(4):
            session.step()
    eager, fallen_back = sessions
    assert fallen_back.compiled is None and "forward hooks" in (fallen_back.compile_note or "")
    assert fallen_back.stats()["compiled"] is False and Session().stats()["compiled"] is True
    for mine, theirs in zip(fallen_back.model.parameters(), eager.model.parameters(), strict=True):
        assert np.array_equal(mine.data, theirs.data)


def test_a_learning_rate_change_keeps_the_weights_and_a_data_change_resets_them():
    session = Session()
    session.configure({"dataset": "moons", "lr": 0.05})
    session.run_epoch()
    weights = session.model[0].weight.data.copy()
    session.configure({"dataset": "moons", "lr": 0.01, "optimizer": "sgd"})
    assert session.epoch == 1 and np.array_equal(session.model[0].weight.data, weights)
    assert session.optimizer.param_groups[0]["lr"] == 0.01
    session.configure({"dataset": "moons", "lr": 0.01, "optimizer": "sgd", "noise": 0.3})
    assert session.epoch == 0 and len(session.history["train_loss"]) == 1


def test_a_refused_setting_leaves_the_session_as_it_was():
    session = Session()
    session.configure({"dataset": "xor"})
    with pytest.raises(SettingsError):
        session.configure({"dataset": "xor", "layers": [99], "activations": ["relu"]})
    assert session.settings["dataset"] == "xor" and session.settings["layers"] == [4, 4]


def test_three_classes_get_softmax_and_their_point_is_explained_with_class_indices():
    session = Session()
    session.configure({"dataset": "blobs", "classes": 3, "output": "auto"})
    assert session.settings["output"] == "softmax_ce"
    frame = session.frame()
    assert frame["boundary"]["kind"] == "classes" and len(frame["maps"]) == 3
    html = session.explain_point("test", 0)
    assert "CrossEntropyLoss" in html and "test point 0" in html


def test_l1_and_l2_add_their_penalty_gradient_to_the_weights_only():
    session = Session()
    session.configure({"dataset": "xor", "layers": [3], "activations": ["tanh"], "batching": "full",
                       "optimizer": "sgd", "lr": 0.1})
    session.step()
    plain = session.model[0].weight.grad.numpy().copy(), session.model[0].bias.grad.numpy().copy()
    for regularization, extra in (("l1", np.sign), ("l2", lambda w: w)):
        session.configure({"dataset": "xor", "layers": [3], "activations": ["tanh"], "batching": "full",
                           "optimizer": "sgd", "lr": 0.1, "regularization": regularization, "reg_rate": 0.5})
        session.reset()
        weight = session.model[0].weight.data.copy()
        session.step()
        assert np.allclose(session.model[0].weight.grad.numpy(), plain[0] + 0.5 * extra(weight), atol=1e-6)
        assert np.allclose(session.model[0].bias.grad.numpy(), plain[1], atol=1e-6)
        assert f"nn.{regularization}_penalty(model, include_bias=False)" in session.script()
