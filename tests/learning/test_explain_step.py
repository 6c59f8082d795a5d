"""explain.step: one gradient-descent step, number by number (notes 001's logistic-regression example),
checked against the notes' printed digits and against PyTorch."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn

# Notes 001 (lines ~1250-1460): x = (0.1, 0.7), y = 1, w = (0.8, 0.2), b = 0.1, alpha = 0.5, BCE on a
# sigmoid neuron. The numbers as the notes print them:
NOTES_GRAD_W = (-0.04207, -0.29447)
NOTES_GRAD_B = -0.4207
NOTES_NEW_W = (0.82103, 0.3472)
NOTES_NEW_B = 0.31033
NOTES_NEW_Z = 0.6355
NOTES_NEW_A = 0.6537
NOTES_NEW_LOSS = 0.42505


def notes_step(dtype=cr.float64):
    model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=dtype)     # bias b = -w0 = 0.1
    record = cr.explain.step(model, nn.BCELoss(), x=np.array([0.1, 0.7]), y=np.array(1.0), lr=0.5)
    return model, record


def decimals_of(printed):
    text = repr(printed)
    return len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize("dtype", [cr.float64, cr.float32])
def test_notes_logistic_regression_numbers_to_the_printed_digits(dtype):
    _, record = notes_step(dtype)
    grad_w = record.grads["0.weight"].reshape(-1)
    grad_b = float(record.grads["0.bias"][0])
    new_w = record.params_after["0.weight"].reshape(-1)
    new_b = float(record.params_after["0.bias"][0])
    layer = record.layers[0]
    for value, printed in [(grad_w[0], NOTES_GRAD_W[0]), (grad_w[1], NOTES_GRAD_W[1]), (grad_b, NOTES_GRAD_B),
                           (new_w[0], NOTES_NEW_W[0]), (new_w[1], NOTES_NEW_W[1]),
                           (float(layer.z_after[0, 0]), NOTES_NEW_Z),
                           (float(layer.activation_after[0, 0]), NOTES_NEW_A),
                           (record.loss_after, NOTES_NEW_LOSS)]:
        assert round(float(value), decimals_of(printed)) == printed
    # The notes print new b = 0.31033, but 0.1 - 0.5 * (-0.4206757) = 0.3103379, which rounds to 0.31034:
    # the notes truncated. We hold the value to the notes' digits within one unit of the last digit.
    assert abs(new_b - NOTES_NEW_B) < 1e-5
    assert round(new_b, 4) == 0.3103
    # the forward pass before the update: z = 0.8*0.1 + 0.2*0.7 + 0.1 = 0.32, a = logsig(0.32)
    assert layer.z[0, 0] == pytest.approx(0.32, abs=1e-6)
    assert layer.activation[0, 0] == pytest.approx(1 / (1 + math.exp(-0.32)), abs=1e-6)
    # dL/dz = a - y (the notes' derivation) and dL/da = -y/a + (1-y)/(1-a)
    a = 1 / (1 + math.exp(-0.32))
    assert layer.delta[0, 0] == pytest.approx(a - 1, abs=1e-6)
    assert layer.grad_activation[0, 0] == pytest.approx(-1 / a, abs=1e-5)


@pytest.mark.parametrize("dtype", [cr.float64, cr.float32])
def test_notes_numbers_appear_in_the_printout(dtype):
    _, record = notes_step(dtype)
    text = str(record)                          # 5 decimals by default
    for printed in ["-0.04207", "-0.29447", "0.82103", "0.34724", "0.42505"]:
        assert printed in text
    assert "0.31034" in text                    # correctly rounded (the notes truncate to 0.31033)
    four = record.to_string(decimals=4)         # the numbers the notes print with four decimals
    for printed in ["-0.4207", "0.3472", "0.6355", "0.6537", "0.3103"]:
        assert printed in four
    assert "-0.42068" not in four


def test_update_is_applied_and_outer_product_is_the_gradient():
    model, record = notes_step()
    np.testing.assert_array_equal(model[0].weight.data, record.params_after["0.weight"])
    np.testing.assert_array_equal(record.params_before["0.weight"], [[0.8, 0.2]])
    layer = record.layers[0]
    np.testing.assert_allclose(layer.delta_outer_input, record.grads["0.weight"], rtol=1e-12)
    np.testing.assert_allclose(layer.delta_outer_input, np.outer(layer.delta[0], [0.1, 0.7]), rtol=1e-12)
    assert record.loss_after < record.loss_before


def test_views_markdown_html_latex():
    _, record = notes_step()
    markdown = record.to_markdown()
    assert "| parameter | before | gradient | after |" in markdown and "`[[0.82103, 0.34724]]`" in markdown
    html = record._repr_html_()
    assert html.count("<table>") == 4 and "0.42505" in html
    latex = record.to_latex()
    assert latex.startswith("\\begin{align*}") and latex.endswith("\\end{align*}")
    assert "\\delta^{(1)} x^\\top" in latex and "0.10000 - 0.5 \\cdot (-0.42068) = 0.31034" in latex
    assert "0.82103 & 0.34724" in latex
    assert latex.count("{") == latex.count("}")
    # matrices: W and x (forward), x^T and dL/dW (gradient), W, dL/dW and the new W (update)
    assert latex.count("\\begin{bmatrix}") == latex.count("\\end{bmatrix}") == 7
    assert "-0.0421" in record.to_markdown(decimals=4)


def _torch_copy(model):
    layers = []
    for module in model:
        if isinstance(module, nn.Linear):
            linear = torch.nn.Linear(module.in_features, module.out_features, dtype=torch.float64)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(module.weight.data.copy()))
                linear.bias.copy_(torch.from_numpy(module.bias.data.copy()))
            layers.append(linear)
        else:
            layers.append(getattr(torch.nn, type(module).__name__)())
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("loss_name", ["MSELoss", "CrossEntropyLoss"])
def test_two_layer_batch_against_torch(loss_name):
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    reference = _torch_copy(model)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(5, 3))
    y = rng.integers(0, 2, size=5) if loss_name == "CrossEntropyLoss" else rng.normal(size=(5, 2))
    record = cr.explain.step(model, getattr(nn, loss_name)(), x, y, lr=0.1)

    # PyTorch: the same step, reading z, a and delta = dL/dz through retain_grad
    tx = torch.from_numpy(x)
    z1 = reference[0](tx)
    a1 = reference[1](z1)
    z2 = reference[2](a1)
    for t in (z1, a1, z2):
        t.retain_grad()
    ty = torch.from_numpy(y)
    loss = getattr(torch.nn, loss_name)()(z2, ty)
    loss.backward()
    assert record.loss_before == pytest.approx(loss.item(), rel=1e-12)
    first, second = record.layers
    np.testing.assert_allclose(first.z, z1.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(first.activation, a1.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(first.grad_activation, a1.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(first.delta, z1.grad.numpy(), rtol=1e-10, atol=1e-15)
    np.testing.assert_allclose(second.delta, z2.grad.numpy(), rtol=1e-10, atol=1e-15)
    assert second.activation_name == "Identity" and first.activation_name == "Tanh"
    for key, param in reference.state_dict(keep_vars=True).items():
        np.testing.assert_allclose(record.grads[key], param.grad.numpy(), rtol=1e-10, atol=1e-15)
        np.testing.assert_allclose(record.params_after[key], (param - 0.1 * param.grad).detach().numpy(),
                                   rtol=1e-12)
        np.testing.assert_allclose(record.layers[int(key[0]) // 2].delta_outer_input if key.endswith("weight")
                                   else record.grads[key], param.grad.numpy(), rtol=1e-10, atol=1e-15)
    with torch.no_grad():
        for param in reference.parameters():
            param -= 0.1 * param.grad
        after = getattr(torch.nn, loss_name)()(reference(tx), ty).item()
    assert record.loss_after == pytest.approx(after, rel=1e-12)
    assert "delta^T x (sum over the batch)" in str(record)
    assert "\\Delta^{(2)\\top} A^{(1)}" in record.to_latex()


def test_bad_inputs_teach():
    model = cr.explain.neuron([1.0, 1.0], threshold=0.0)
    with pytest.raises(ValueError, match="decimals must be a non-negative integer"):
        cr.explain.step(model, nn.BCELoss(), [0.0, 1.0], 1.0, lr=0.1, decimals=-1)

    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = nn.Parameter(cr.ones(1))

        def forward(self, x):
            return x * self.scale

    with pytest.raises(TypeError, match="Scale has parameters but is not a Linear layer"):
        cr.explain.step(nn.Sequential(nn.Linear(2, 1), Scale()), nn.MSELoss(), [0.0, 1.0], 1.0, lr=0.1)
    with pytest.raises(ValueError, match="must return a scalar"):
        cr.explain.step(model, nn.MSELoss(reduction="none"), [[0.0, 1.0], [1.0, 0.0]], [[1.0], [0.0]], lr=0.1)


def test_computational_graph_of_the_notes():
    # notes 001: h(x) = (2(x + 1))^2, h'(x) = 8(x + 1), so h'(2) = 24 (and h(2) = 36)
    x = cr.tensor(2.0, requires_grad=True)
    h = (2 * (x + 1)) ** 2
    h.backward()
    assert h.item() == 36.0 and x.grad.item() == 24.0


def test_notes_single_neuron_mse_rule():
    # notes 000: w_i := w_i - mu * dL/dy_hat * logsig(.)(1 - logsig(.)) * x_i, with x_0 = -1 for the
    # threshold w0 (it enters as -w0). The notes' OR neuron at x = (1, 0) with target 0, MSE, mu = 0.1:
    y_hat = 1 / (1 + math.exp(-(30 * 1 + 30 * 0 - 20)))
    dl_dy = 2 * (y_hat - 0.0)                                    # d/dy_hat of (y_hat - t)^2
    local = dl_dy * y_hat * (1 - y_hat)
    record = cr.explain.step(cr.explain.notes_or(dtype=cr.float64), nn.MSELoss(), [1.0, 0.0], 0.0, lr=0.1)
    np.testing.assert_allclose(record.grads["0.weight"], [[local * 1.0, local * 0.0]], rtol=1e-12)
    # bias = -w0, so dL/dw0 = -dL/db = local * (-1): the notes' "-1 for i = 0"
    np.testing.assert_allclose(-record.grads["0.bias"], [local * -1.0], rtol=1e-12)
    np.testing.assert_allclose(record.params_after["0.weight"], [[30 - 0.1 * local, 30.0]], rtol=1e-12)


def test_softmax_regression_error_signal_is_p_minus_y():
    # notes 003: for softmax + cross-entropy the error signal at the logits is p - y (the notes write the
    # negative gradient y - p); one sample of class 2 out of 3.
    model = nn.Sequential(nn.Linear(2, 3)).double()
    with cr.no_grad():
        model[0].weight.data[...] = [[0.5, -1.0], [0.2, 0.3], [-0.4, 0.8]]
        model[0].bias.data[...] = [0.1, 0.0, -0.1]
    x = np.array([1.0, 2.0])
    logits = model[0].weight.data @ x + model[0].bias.data          # [-1.4, 0.8, 1.1]
    p = np.exp(logits) / np.exp(logits).sum()
    record = cr.explain.step(model, nn.CrossEntropyLoss(), x, np.array([2]), lr=0.1)
    np.testing.assert_allclose(record.layers[0].delta[0], p - [0, 0, 1], rtol=1e-12)
    np.testing.assert_allclose(record.grads["0.weight"], np.outer(p - [0, 0, 1], x), rtol=1e-12)
    assert record.loss_before == pytest.approx(-math.log(p[2]), rel=1e-12)


def test_regularised_loss_adds_lambda_w():
    # notes 002: L_reg = L + lambda R with R = 1/2 ||w||^2, so w_bar = z_bar x + lambda w (b_bar = z_bar)
    model = cr.explain.neuron([0.8, 0.2], threshold=-0.1, dtype=cr.float64)
    lam = 0.1

    def regularised(output, target):
        return nn.BCELoss()(output, target) + lam * nn.l2_penalty(model, include_bias=False)

    record = cr.explain.step(model, regularised, [0.1, 0.7], 1.0, lr=0.5)
    layer = record.layers[0]
    expected = layer.delta_outer_input + lam * np.array([[0.8, 0.2]])
    np.testing.assert_allclose(record.grads["0.weight"], expected, rtol=1e-12)
    np.testing.assert_allclose(record.grads["0.bias"], layer.delta[0], rtol=1e-12)
    text = str(record)
    assert "dL/dW = delta x^T + [[0.08000, 0.02000]]" in text and "dL/db = delta +" not in text
    assert "on regularised" in text
