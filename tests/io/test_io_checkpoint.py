"""Checkpoints: saving mid-run and continuing gives bit for bit the parameters of an unbroken run."""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn
from chainrule.io import ModelFileError, load_checkpoint, save_checkpoint
from chainrule.io.packing import PackingError, pack, unpack


def data() -> tuple[np.ndarray, np.ndarray]:
    X, y = cr.data.moons(n_samples=96, noise=0.2, seed=0)
    return X, y


def new_run(optimizer_name: str) -> tuple[nn.Module, object, object]:
    cr.manual_seed(7)
    model = nn.Sequential(nn.Linear(2, 8), nn.Dropout(0.1), nn.Tanh(), nn.Linear(8, 2))
    if optimizer_name == "sgd":
        optimizer = cr.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-3)
    else:
        optimizer = getattr(cr.optim, optimizer_name)(model.parameters(), lr=0.01)
    scheduler = cr.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    return model, optimizer, scheduler


def train(model, optimizer, scheduler, initial_epoch: int, epochs: int, callbacks=()) -> None:
    X, y = data()
    cr.fit(model, X, y, loss="cross_entropy", optimizer=optimizer, epochs=epochs, batch_size=16,
           initial_epoch=initial_epoch, callbacks=[cr.train.LearningRateScheduler(scheduler), *callbacks],
           verbose=False)


class SaveAt(cr.train.Callback):
    def __init__(self, path, scheduler, epoch: int) -> None:
        super().__init__()
        self.path, self.scheduler, self.epoch = path, scheduler, epoch

    def on_epoch_end(self, epoch, logs=None) -> None:
        if epoch + 1 == self.epoch:
            save_checkpoint(self.path, self.model, epoch=epoch + 1, optimizer=self.optimizer,
                            scheduler=self.scheduler, metadata={"note": "mid-run"})


@pytest.mark.parametrize("optimizer_name", ["sgd", "Adam", "AdamW", "RMSprop", "Adagrad"])
def test_resuming_from_a_checkpoint_is_bitwise_identical(tmp_path, optimizer_name) -> None:
    path = tmp_path / "checkpoint.safetensors"
    model, optimizer, scheduler = new_run(optimizer_name)
    train(model, optimizer, scheduler, 0, 6, [SaveAt(path, scheduler, 3)])
    unbroken = {name: value.data.copy() for name, value in model.state_dict().items()}

    # A fresh process would rebuild everything from the seed, then restore the checkpoint.
    model, optimizer, scheduler = new_run(optimizer_name)
    cr.manual_seed(12345)   # whatever the stream is now, the checkpoint's state replaces it
    checkpoint = load_checkpoint(path)
    assert checkpoint.epoch == 3 and checkpoint.metadata == {"note": "mid-run"}
    model.load_state_dict(checkpoint.model.state_dict())
    optimizer.load_state_dict(checkpoint.optimizer_state)
    scheduler.load_state_dict(checkpoint.scheduler_state)
    cr.set_rng_state(checkpoint.rng_state)
    train(model, optimizer, scheduler, checkpoint.epoch, 6)
    for name, value in model.state_dict().items():
        assert value.data.tobytes() == unbroken[name].tobytes(), name


def test_a_checkpoint_is_also_a_model_file(tmp_path) -> None:
    model, optimizer, scheduler = new_run("Adam")
    save_checkpoint(tmp_path / "c.safetensors", model, epoch=0, optimizer=optimizer, scheduler=scheduler)
    loaded = cr.load(tmp_path / "c.safetensors")
    assert repr(loaded) == repr(model)


def test_a_model_file_is_not_a_checkpoint(tmp_path) -> None:
    cr.save(nn.Linear(2, 1), tmp_path / "m.safetensors")
    with pytest.raises(ModelFileError, match="not a training checkpoint"):
        load_checkpoint(tmp_path / "m.safetensors")


def test_packing_round_trips_optimizer_like_state() -> None:
    arrays: dict[str, np.ndarray] = {}
    value = {"state": {0: {"step": 3, "exp_avg": cr.tensor([1.0, 2.0]), "buf": np.eye(2)}},
             "param_groups": [{"lr": 0.1, "betas": (0.9, 0.999), "params": [0, 1], "eps": float("inf")}],
             "np_scalar": np.float32(0.25), "__tuple__": "a key that looks like a tag"}
    packed = pack(value, arrays, "optimizer")
    assert sorted(arrays) == ["optimizer/0", "optimizer/1", "optimizer/2"]
    back = unpack(packed, arrays)
    assert back["param_groups"][0]["betas"] == (0.9, 0.999)
    assert back["param_groups"][0]["eps"] == float("inf")
    assert list(back["state"]) == [0] and back["state"][0]["step"] == 3
    assert isinstance(back["state"][0]["exp_avg"], cr.Tensor)
    assert back["state"][0]["exp_avg"].tolist() == [1.0, 2.0]
    np.testing.assert_array_equal(back["state"][0]["buf"], np.eye(2))
    assert back["np_scalar"] == 0.25 and back["np_scalar"].dtype == np.float32
    assert back["__tuple__"] == "a key that looks like a tag"


def test_unpacking_refuses_malformed_data() -> None:
    for bad in ({"__tensor__": "missing"}, {"__float__": "1e999x"}, {"__items__": [[1]]}, {"__tuple__": 5},
                {"__items__": [[[1, 2], 3]]}):
        with pytest.raises(PackingError):
            unpack(bad, {})
    with pytest.raises(PackingError, match="cannot store a value of type set"):
        pack({1, 2}, {}, "x")
