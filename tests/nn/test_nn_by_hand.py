"""A 2-2-2 sigmoid network trained one SGD step, with every number worked out by hand.

The weights, inputs and targets are the classic worked example of backpropagation (inputs 0.05, 0.10;
targets 0.01, 0.99; learning rate 0.5). The expected numbers below were derived with plain arithmetic,
following the notes' error signals (y_bar = y - t, z_bar = y_bar s'(z) = y_bar y (1 - y),
w_bar = z_bar h, h_bar = sum_k y_bar_k w_k, b_bar = z_bar), and are written out as literals: nothing
here is computed by chainrule except the values under test.
"""

from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn

LEARNING_RATE = 0.5
X = [[0.05, 0.10]]
TARGET = [[0.01, 0.99]]
HIDDEN_WEIGHT = [[0.15, 0.20],   # w1, w2 (into hidden neuron 1)
                 [0.25, 0.30]]   # w3, w4 (into hidden neuron 2)
HIDDEN_BIAS = [0.35, 0.35]
OUTPUT_WEIGHT = [[0.40, 0.45],   # w5, w6 (into output neuron 1)
                 [0.50, 0.55]]   # w7, w8 (into output neuron 2)
OUTPUT_BIAS = [0.60, 0.60]


def make_network() -> nn.Sequential:
    model = nn.Sequential(nn.Linear(2, 2), nn.Sigmoid(), nn.Linear(2, 2), nn.Sigmoid()).double()
    model.load_state_dict({"0.weight": np.array(HIDDEN_WEIGHT), "0.bias": np.array(HIDDEN_BIAS),
                           "2.weight": np.array(OUTPUT_WEIGHT), "2.bias": np.array(OUTPUT_BIAS)})
    return model


def test_forward_pass_by_hand() -> None:
    model = make_network()
    # z_h1 = 0.15 * 0.05 + 0.20 * 0.10 + 0.35 = 0.3775        h1 = s(0.3775) = 0.593269992
    # z_h2 = 0.25 * 0.05 + 0.30 * 0.10 + 0.35 = 0.3925        h2 = s(0.3925) = 0.596884378
    hidden = model[:2](cr.tensor(X, dtype=cr.float64))
    np.testing.assert_allclose(hidden.data, [[0.593269992107187, 0.596884378259767]], rtol=1e-12)
    # z_o1 = 0.40 h1 + 0.45 h2 + 0.60 = 1.105905967          y1 = s(z_o1) = 0.751365070
    # z_o2 = 0.50 h1 + 0.55 h2 + 0.60 = 1.224921404          y2 = s(z_o2) = 0.772928465
    output = model(cr.tensor(X, dtype=cr.float64))
    np.testing.assert_allclose(output.data, [[0.751365069552316, 0.772928465321463]], rtol=1e-12)
    # E = 1/2 (0.01 - y1)^2 + 1/2 (0.99 - y2)^2 = 0.274811083 + 0.023560026 = 0.298371109;
    # MSELoss's mean over the two outputs of one sample is exactly this 1/2-sum.
    loss = nn.MSELoss()(output, cr.tensor(TARGET, dtype=cr.float64))
    assert loss.item() == pytest.approx(0.298371108760003, rel=1e-12)


def test_one_sgd_step_by_hand() -> None:
    model = make_network()
    loss = nn.MSELoss()(model(cr.tensor(X, dtype=cr.float64)), cr.tensor(TARGET, dtype=cr.float64))
    loss.backward()
    hidden, output = model[0], model[2]
    # Output layer: z_bar_o1 = (y1 - t1) y1 (1 - y1) = 0.741365070 * 0.186815602 = 0.138498562
    #               z_bar_o2 = (y2 - t2) y2 (1 - y2) = -0.217071535 * 0.175510053 = -0.038098237
    np.testing.assert_allclose(output.bias.grad.data, [0.138498561628557, -0.038098236516556], rtol=1e-10)
    # w_bar = z_bar h: dE/dw5 = 0.138498562 * 0.593269992 = 0.082167041, dE/dw6 = 0.082667628,
    #                  dE/dw7 = -0.038098237 * 0.593269992 = -0.022602540, dE/dw8 = -0.022740242
    np.testing.assert_allclose(output.weight.grad.data, [[0.082167040564231, 0.082667627847533],
                                                         [-0.022602540477475, -0.022740242215978]],
                               rtol=1e-10)
    # Hidden layer: h_bar1 = 0.138498562 * 0.40 + (-0.038098237) * 0.50 = 0.036350306
    #               z_bar_h1 = h_bar1 h1 (1 - h1) = 0.036350306 * 0.241300709 = 0.008771355
    #               h_bar2 = 0.138498562 * 0.45 + (-0.038098237) * 0.55 = 0.041370330
    #               z_bar_h2 = 0.041370330 * 0.240613417 = 0.009954255
    np.testing.assert_allclose(hidden.bias.grad.data, [0.008771354689487, 0.009954254705217], rtol=1e-10)
    # dE/dw1 = z_bar_h1 * 0.05 = 0.000438568, dE/dw2 = z_bar_h1 * 0.10 = 0.000877135, and so on
    np.testing.assert_allclose(hidden.weight.grad.data, [[0.000438567734474, 0.000877135468949],
                                                         [0.000497712735261, 0.000995425470522]], rtol=1e-10)

    # One step of gradient descent, w := w - 0.5 dE/dw
    with cr.no_grad():
        for parameter in model.parameters():
            parameter -= LEARNING_RATE * parameter.grad
    # w5 = 0.40 - 0.5 * 0.082167041 = 0.358916480, w6 = 0.408666186, w7 = 0.511301270, w8 = 0.561370121
    np.testing.assert_allclose(output.weight.data, [[0.358916479717885, 0.408666186076233],
                                                    [0.511301270238738, 0.561370121107989]], rtol=1e-10)
    # w1 = 0.15 - 0.5 * 0.000438568 = 0.149780716, w2 = 0.199561432, w3 = 0.249751144, w4 = 0.299502287
    np.testing.assert_allclose(hidden.weight.data, [[0.149780716132763, 0.199561432265526],
                                                    [0.249751143632370, 0.299502287264739]], rtol=1e-10)
    # biases: 0.60 - 0.5 * 0.138498562 = 0.530750719, 0.60 + 0.5 * 0.038098237 = 0.619049118;
    #         0.35 - 0.5 * 0.008771355 = 0.345614323, 0.35 - 0.5 * 0.009954255 = 0.345022873
    np.testing.assert_allclose(output.bias.data, [0.530750719185722, 0.619049118258278], rtol=1e-10)
    np.testing.assert_allclose(hidden.bias.data, [0.345614322655257, 0.345022872647391], rtol=1e-10)

    # After the step the error is smaller (0.298371109 before): the step went downhill.
    with cr.no_grad():
        after = nn.MSELoss()(model(cr.tensor(X, dtype=cr.float64)), cr.tensor(TARGET, dtype=cr.float64))
    assert after.item() < 0.2983711
