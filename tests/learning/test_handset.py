"""Hand-set networks typed as the notes print them (000: logsig neurons, XOR MLP; 002: threshold XOR)."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def logsig(z):
    return 1 / (1 + math.exp(-z))


# Corners in truth-table order: (x1, x2) = (0,0), (0,1), (1,0), (1,1).


def test_notes_or_neuron():
    # logsig(30 x1 + 30 x2 - 20): z = -20, 10, 10, 40 -> y ~ 0, 1, 1, 1: OR
    table = cr.explain.truth_table(cr.explain.notes_or(dtype=cr.float64))
    assert table.decisions.tolist() == [0, 1, 1, 1]
    np.testing.assert_allclose(table.outputs, [logsig(-20), logsig(10), logsig(10), logsig(40)], rtol=1e-12)
    np.testing.assert_array_equal(table.inputs, [[0, 0], [0, 1], [1, 0], [1, 1]])


def test_notes_and_neuron():
    # logsig(15 x1 + 15 x2 - 20): z = -20, -5, -5, 10 -> y = 2e-9, 0.0067, 0.0067, 0.99995: AND
    table = cr.explain.truth_table(cr.explain.notes_and(dtype=cr.float64))
    assert table.decisions.tolist() == [0, 0, 0, 1]
    np.testing.assert_allclose(table.outputs, [logsig(-20), logsig(-5), logsig(-5), logsig(10)], rtol=1e-12)
    assert "0.00669" in str(table) and "0.99995" in str(table)


def test_notes_xor_mlp():
    # y1 = logsig(-20 x1 + 30 x2 - 20): z = -20, 10, -40, -10 -> 0, 1, 0, 0   (x2 AND NOT x1)
    # y2 = logsig(30 x1 - 20 x2 - 20): z = -20, -40, 10, -10 -> 0, 0, 1, 0   (x1 AND NOT x2)
    # y  = logsig(30 y1 + 30 y2 - 20): about -20, 10, 10, -20 -> 0, 1, 1, 0  (y1 OR y2 = XOR)
    model = cr.explain.notes_xor(dtype=cr.float64)
    hidden = cr.explain.truth_table(model[0:2])
    assert hidden.decisions.tolist() == [[0, 0], [1, 0], [0, 1], [0, 0]]
    table = cr.explain.truth_table(model)
    assert table.decisions.tolist() == [0, 1, 1, 0]
    expected = []
    for x1, x2 in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        y1, y2 = logsig(-20 * x1 + 30 * x2 - 20), logsig(30 * x1 - 20 * x2 - 20)
        expected.append(logsig(30 * y1 + 30 * y2 - 20))
    np.testing.assert_allclose(table.outputs, expected, rtol=1e-12)
    # the same network in PyTorch gives the same outputs
    reference = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Sigmoid(), torch.nn.Linear(2, 1),
                                    torch.nn.Sigmoid()).double()
    reference.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()})
    with torch.no_grad():
        out = reference(torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], dtype=torch.float64))
    np.testing.assert_allclose(table.outputs, out.numpy()[:, 0], rtol=1e-12)


def test_notes_threshold_xor():
    # h1 = [x1 + x2 - 0.5 > 0] (OR), h2 = [x1 + x2 - 1.5 > 0] (AND), y = [h1 - h2 - 0.5 > 0] (h1 AND NOT h2)
    # corners: h1 = 0,1,1,1; h2 = 0,0,0,1; y = [-0.5, 0.5, 0.5, -0.5 > 0] = 0, 1, 1, 0
    model = cr.explain.notes_threshold_xor()
    assert isinstance(model[1], nn.Step) and isinstance(model[3], nn.Step)
    assert cr.explain.truth_table(model[0:2]).outputs.tolist() == [[0, 0], [1, 0], [1, 0], [1, 1]]
    table = cr.explain.truth_table(model)
    assert table.outputs.tolist() == [0.0, 1.0, 1.0, 0.0]
    assert table.decisions.tolist() == [0, 1, 1, 0]


def test_neuron_sets_bias_to_minus_threshold():
    model = cr.explain.neuron([30, 30], threshold=20)
    state = model.state_dict()
    assert list(state) == ["0.weight", "0.bias"]
    assert state["0.weight"].tolist() == [[30.0, 30.0]] and state["0.bias"].tolist() == [-20.0]
    assert state["0.weight"].dtype == np.float32                      # the default dtype, as PyTorch
    assert isinstance(model[1], nn.Sigmoid)
    assert cr.explain.neuron([1.0], threshold=0.0, activation=None)[0].bias.data.tolist() == [0.0]
    assert len(cr.explain.neuron([1.0], threshold=0.0, activation=None)) == 1


def test_from_weights_per_layer_activations_and_three_inputs():
    model = cr.explain.from_weights([[([1, 1, 1], 2.5)], [([2], 0)]], activation=["step", "identity"])
    assert [type(m).__name__ for m in model] == ["Linear", "Step", "Linear", "Identity"]
    table = cr.explain.truth_table(model)
    assert table.inputs.shape == (8, 3)
    assert table.outputs.tolist() == [0, 0, 0, 0, 0, 0, 0, 2]           # 2 * AND(x1, x2, x3)
    custom = cr.explain.truth_table(model, inputs=[[1, 1, 1]])
    assert custom.outputs.tolist() == [2.0]


def test_errors_teach():
    with pytest.raises(ValueError, match=r"Unknown activation 'softsign'.*'logsig'"):
        cr.explain.neuron([1, 1], 0.5, activation="softsign")
    with pytest.raises(ValueError, match="layer 2 have 3 weights each, but the layer before has 2 outputs"):
        cr.explain.from_weights([[([1, 1], 0), ([1, 1], 0)], [([1, 1, 1], 0)]])
    with pytest.raises(ValueError, match="2 activations given for 1 layers"):
        cr.explain.from_weights([[([1, 1], 0)]], activation=["step", "step"])
    with pytest.raises(ValueError, match="list of \\(weights, threshold\\) pairs"):
        cr.explain.from_weights([[([1, 1], 0), ([1], 0)]])
