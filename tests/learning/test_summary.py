"""cr.summary: Keras-style table and parameter counts (notes 004: the 2-1024-512-3 network has 529411)."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def notes_network():
    return nn.Sequential(nn.Linear(2, 1024), nn.Sigmoid(), nn.Linear(1024, 512), nn.Sigmoid(),
                         nn.Linear(512, 3), nn.Softmax(dim=1))


def test_notes_parameter_count():
    # notes 004: 1024*2 + 1024 + 512*1024 + 512 + 512*3 + 3 = 529411
    s = cr.summary(notes_network(), input_shape=(2,))
    assert s.total_params == 529411 and s.trainable_params == 529411 and s.non_trainable_params == 0
    assert [row.params for row in s.rows] == [1024 * 2 + 1024, 0, 512 * 1024 + 512, 0, 512 * 3 + 3, 0]
    assert [row.output_shape for row in s.rows] == [(None, 1024), (None, 1024), (None, 512), (None, 512),
                                                    (None, 3), (None, 3)]
    text = str(s)
    assert "Total params: 529,411" in text and "(= 1024*2 + 1024 + 512*1024 + 512 + 3*512 + 3)" in text
    assert "0 (Linear)" in text and "(None, 1024)" in text and "524,800" in text
    torch_model = torch.nn.Sequential(torch.nn.Linear(2, 1024), torch.nn.Sigmoid(),
                                      torch.nn.Linear(1024, 512), torch.nn.Sigmoid(), torch.nn.Linear(512, 3))
    assert s.total_params == sum(p.numel() for p in torch_model.parameters())


def test_without_input_shape_has_no_shape_column():
    text = str(cr.summary(notes_network()))
    assert "Output Shape" not in text and "Total params: 529,411" in text


def test_frozen_and_shared_parameters():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), shared, nn.ReLU(), shared)
    model[0].requires_grad_(False)
    s = cr.summary(model, input_shape=3)
    # 3*4 + 4 = 16 frozen; the shared 4*4 + 4 = 20 counted once
    assert s.total_params == 36 and s.trainable_params == 20 and s.non_trainable_params == 16
    assert "Non-trainable params: 16" in str(s)
    assert s.total_params == sum(p.data.size for p in model.parameters())


def test_image_shapes_and_eval_mode_restored():
    model = nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 10), nn.Dropout(0.5))
    cr.manual_seed(0)
    state = cr.get_rng_state()
    s = cr.summary(model, input_shape=(1, 28, 28))
    assert cr.get_rng_state() == state          # no random numbers drawn (Dropout ran in eval mode)
    assert model.training and model[2].training
    assert [row.output_shape for row in s.rows] == [(None, 784), (None, 10), (None, 10)]
    assert s.total_params == 784 * 10 + 10


def test_unused_layer_and_custom_module():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(cr.ones(2))
            self.hidden = nn.Linear(2, 2)
            self.unused = nn.Linear(2, 5)

        def forward(self, x):
            return self.hidden(x) * self.scale

    s = cr.summary(Net(), input_shape=(2,))
    names = [row.name for row in s.rows]
    assert names == ["", "hidden", "unused"] and [row.params for row in s.rows] == [2, 6, 15]
    assert s.rows[2].output_shape is None and " -  " in str(s) + " "


def test_errors_teach():
    with pytest.raises(ValueError, match="without the batch dimension"):
        cr.summary(notes_network(), input_shape=(0,))
    with pytest.raises(RuntimeError, match="Is input_shape the shape of one sample"):
        cr.summary(notes_network(), input_shape=(5,))
    with pytest.raises(TypeError, match="expected a chainrule nn.Module"):
        cr.summary(np.zeros(3))
