"""What the page shows: the boundary learned live, hover values and gradients, a point's forward and
backward pass, added points, warnings, and the PNG snapshot."""

from __future__ import annotations

import base64

import numpy as np
from conftest import set_value, settings, wait_settings

SPIRAL = "?dataset=spirals&noise=0&samples=300&layers=16,16&activations=tanh,tanh&lr=0.03&show_test=1"


def pixel_of(page, x1, x2):
    """The page pixel of data point (x1, x2) on the plane canvas."""
    box = page.locator("#boundary").bounding_box()
    e = page.evaluate("window.playground.data.extent")
    return (box["x"] + (x1 - e[0]) / (e[1] - e[0]) * box["width"],
            box["y"] + (e[3] - x2) / (e[3] - e[2]) * box["height"])


def test_a_spiral_is_learned_to_90_percent_test_accuracy_through_the_page(open_page):
    page = open_page(SPIRAL)
    page.click("#play")
    page.wait_for_function("window.playground.frame.stats.test_acc > 0.9", timeout=20000)
    page.click("#play")
    shown = float(page.locator("#test-acc").inner_text().rstrip("%"))
    assert shown > 90 or page.evaluate("window.playground.frame.stats.test_acc") > 0.9
    # the boundary drawn is the server's: both classes appear on the plane, and the neuron maps differ
    frame = page.evaluate("window.playground.frame")
    boundary = np.frombuffer(base64.b64decode(frame["boundary"]["values"]), np.uint8)
    assert boundary.shape == (100 * 100,) and boundary.min() < 64 and boundary.max() > 192
    maps = [np.frombuffer(base64.b64decode(m["values"]), np.uint8) for m in frame["maps"][1]]
    assert len(maps) == 16 and len({m.tobytes() for m in maps}) == 16
    assert page.locator(".node.neuron canvas").count() == 32
    widths = page.eval_on_selector_all("#links path", "ps => ps.map(p => +p.getAttribute('stroke-width'))")
    assert len(widths) == 2 * 16 + 16 * 16 + 16 and max(widths) > 2 * min(widths)       # sized by |w|


def test_hovering_a_neuron_and_a_link_shows_value_and_gradient(open_page):
    page = open_page("?layers=3&activations=tanh")
    page.click("#step")
    page.wait_for_function("window.playground.frame.stats.steps === 1")
    layer = page.evaluate("window.playground.frame.layers[0]")
    page.hover(".node.neuron[data-layer='0'][data-index='1']")
    text = page.locator("#tooltip").inner_text()
    assert f"b = {layer['bias'][1]:.5f}" in text and f"dL/db = {layer['bias_grad'][1]:.5f}" in text
    path = page.locator("#links path[data-layer='0'][data-to='2'][data-from='1']")
    box = path.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#tooltip:not([hidden])")
    text = page.locator("#tooltip").inner_text()
    assert f"w = {layer['weight'][2][1]:.5f}" in text and f"dL/dw = {layer['weight_grad'][2][1]:.5f}" in text


def test_clicking_a_point_shows_its_forward_and_backward_pass(open_page):
    page = open_page("?dataset=xor&noise=0&layers=2&activations=sigmoid")
    x1, x2, label = page.evaluate("window.playground.data.points.train[0]")
    page.mouse.click(*pixel_of(page, x1, x2))
    page.wait_for_selector("#explain table")
    text = page.locator("#explain").inner_text()
    assert "Forward pass" in text and "Backward pass" in text and "delta = dL/dz" in text and "BCELoss" in text
    assert f"x1 = {x1:.4f}" in text
    page.mouse.click(3, 3)                                           # not on the plane: nothing happens
    page.mouse.click(*pixel_of(page, 0.0, 0.0))                      # empty spot: a hint, not an error
    page.wait_for_selector("#messages .notice:has-text('No data point there')")


def test_clicking_the_plane_adds_points_of_the_chosen_class(open_page):
    page = open_page("?dataset=moons")
    before = len(page.evaluate("window.playground.data.points.train"))
    set_value(page, "#click-mode", "add:1")
    page.mouse.click(*pixel_of(page, 0.5, 0.25))
    wait_settings(page, "s.points.length === 1")
    assert len(page.evaluate("window.playground.data.points.train")) == before + 1
    x1, x2, label = settings(page)["points"][0]
    assert abs(x1 - 0.5) < 0.05 and abs(x2 - 0.25) < 0.05 and label == 1
    assert "points=" in page.url
    reloaded = open_page("?" + page.url.split("?", 1)[1])
    assert len(reloaded.evaluate("window.playground.data.points.train")) == before + 1
    reloaded.click("#clear-points")
    wait_settings(reloaded, "s.points.length === 0")


def test_warnings_show_diagnose_findings_with_their_layer_and_divergence(open_page):
    healthy = open_page()
    healthy.click("#play")
    healthy.wait_for_function("window.playground.frame.stats.epoch >= 20", timeout=15000)
    healthy.click("#play")
    assert healthy.locator("#warnings div").count() == 0                 # the default network: no alarm
    page = open_page("?dataset=plane&optimizer=sgd&lr=5&batching=full")
    finding = page.locator("#warnings .finding[data-kind='learning_rate']")   # before training: one step's size
    assert "learning_rate in output layer (Linear)" in finding.inner_text()
    assert finding.get_attribute("data-module") == "4"
    page.click("#play")
    page.wait_for_selector("#warnings div:has-text('training diverged')", timeout=10000)
    page.click("#play")
    relu = open_page("?layers=8,8&activations=relu,relu&optimizer=sgd&lr=8&batching=full")
    for _ in range(5):
        relu.click("#epoch")
    dead = relu.locator("#warnings .finding[data-kind='dead_relu']")
    dead.wait_for(timeout=10000)
    text = dead.inner_text()
    assert "dead_relu in hidden layer 2 (ReLU)" in text and "output 0 for every sample" in text
    step = open_page("?layers=4&activations=step")
    step.click("#play")
    step.wait_for_selector("#warnings div:has-text('cannot be backpropagated')")
    step.wait_for_function("!window.playground.playing")             # training stopped by itself, page alive
    assert step.evaluate("window.playground.frame.stats.steps") == 0


def test_png_snapshot_downloads_a_picture(open_page):
    page = open_page()
    with page.expect_download() as download:
        page.click("#snapshot")
    data = open(download.value.path(), "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000
    assert download.value.suggested_filename == "playground.png"
