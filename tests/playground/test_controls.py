"""Every control of the page, in a real browser: each one changes what the server trains, and the URL
holds the whole state (a reload restores it, classroom mode included)."""

from __future__ import annotations

from conftest import set_value, settings, wait_settings


def test_data_network_and_training_controls_reach_the_server_and_survive_a_reload(open_page):
    page = open_page()
    assert settings(page)["dataset"] == "circles"
    set_value(page, "#dataset", "spirals")
    wait_settings(page, "s.dataset === 'spirals'")
    assert page.locator("#arms").is_visible() and not page.locator("#gate").is_visible()
    changes = [("#arms", 3, "arms"), ("#noise", 0.25, "noise"), ("#samples", 200, "samples"),
               ("#train-ratio", 0.6, "train_ratio"), ("#seed", 7, "seed"), ("#optimizer", "momentum", "optimizer"),
               ("#lr", 0.05, "lr"), ("#batching", "mini", "batching"), ("#batch-size", 8, "batch_size"),
               ("#regularization", "l2", "regularization"), ("#reg-rate", 0.01, "reg_rate")]
    for selector, value, key in changes:
        set_value(page, selector, value)
        wait_settings(page, f"s.{key} === {value!r}".replace("'", '"'))
    assert page.evaluate("window.playground.data.class_names") == ["0", "1", "2"]     # three arms, three classes
    assert len(page.evaluate("window.playground.data.points.train")) == 120            # 60% of 200
    page.click("#regenerate")
    wait_settings(page, "s.seed === 8")
    # network: add a layer, a neuron, change an activation, switch features on and off
    page.click("#add-layer")
    wait_settings(page, "s.layers.length === 3")
    page.click(".layer-plus[data-layer='2']")
    wait_settings(page, "s.layers[2] === 5")
    page.click(".layer-minus[data-layer='0']")
    wait_settings(page, "s.layers[0] === 3")
    set_value(page, "select.activation[data-layer='1']", "leaky_relu")
    wait_settings(page, "s.activations[1] === 'leaky_relu'")
    page.click(".node.feature[data-feature='r']")
    page.click(".node.feature[data-feature='sin(x1)']")
    wait_settings(page, "s.features.includes('r') && s.features.includes('sin(x1)')")
    page.click(".node.feature[data-feature='x2']")
    wait_settings(page, "!s.features.includes('x2')")
    assert page.evaluate("window.playground.data.sizes") == [3, 3, 4, 5, 3]   # x1, sin(x1), r -> ... -> 3 classes
    set_value(page, "#output", "softmax_ce")
    wait_settings(page, "s.output === 'softmax_ce'")
    page.check("#show-test")
    accepted = settings(page)

    reloaded = open_page("?" + page.url.split("?", 1)[1])
    assert settings(reloaded) == accepted
    assert reloaded.locator("#show-test").is_checked()
    for selector, value, _ in changes[1:]:
        shown = reloaded.locator(selector).input_value()
        assert (float(shown) if isinstance(value, (int, float)) else shown) == value or selector == "#seed"
    assert reloaded.locator("#seed").input_value() == "8"
    assert reloaded.locator("select.activation[data-layer='1']").input_value() == "leaky_relu"


def test_remove_layer_down_to_a_single_neuron_network(open_page):
    page = open_page("?dataset=blobs&classes=4")
    assert page.evaluate("window.playground.data.sizes") == [2, 4, 4, 4]                 # softmax: 4 outputs
    page.click("#remove-layer")
    page.click("#remove-layer")
    wait_settings(page, "s.layers.length === 0")
    assert page.locator("#remove-layer").is_disabled()
    page.click("#epoch")
    page.wait_for_function("window.playground.frame.stats.epoch === 1")


def test_logic_gates_and_regression_plane_pick_their_output_and_loss(open_page):
    page = open_page("?dataset=gate&gate=and&noise=0")
    assert page.locator("#gate").is_visible()
    assert settings(page)["output"] == "sigmoid_bce"
    set_value(page, "#gate", "nor")
    wait_settings(page, "s.gate === 'nor'")
    set_value(page, "#dataset", "plane")
    wait_settings(page, "s.dataset === 'plane'")
    assert settings(page)["output"] == "linear_mse" and page.evaluate("window.playground.data.kind") == "regression"
    page.wait_for_function("document.querySelector('#train-acc').textContent === '-'")   # no accuracy: a regression
    set_value(page, "#output", "linear_huber")
    wait_settings(page, "s.output === 'linear_huber'")
    set_value(page, "#output", "softmax_ce")                       # does not fit: a notice says so
    page.wait_for_selector("#messages .notice:has-text('does not fit')")
    assert settings(page)["output"] == "linear_mse"


def test_classroom_mode_hides_chosen_controls_and_the_link_keeps_them_hidden(open_page):
    page = open_page()
    page.click("#classroom-button")
    page.check("#classroom-list input[value='lr']")
    page.check("#classroom-list input[value='dataset']")
    page.click("#classroom button[value='close']")
    assert not page.locator("#lr").is_visible() and not page.locator("#dataset").is_visible()
    assert "hide=lr%2Cdataset" in page.url or "hide=dataset%2Clr" in page.url
    page.click("#share")
    page.wait_for_selector("#messages .notice:has-text('127.0.0.1')")
    student = open_page("?" + page.url.split("?", 1)[1])
    assert not student.locator("#lr").is_visible() and student.locator("#optimizer").is_visible()


def test_training_buttons_step_epoch_play_pause_reset(open_page):
    page = open_page("?batching=mini&batch_size=10&samples=100&train_ratio=0.5")
    stats = lambda: page.evaluate("window.playground.frame.stats")  # noqa: E731
    page.click("#step")
    page.wait_for_function("window.playground.frame.stats.steps === 1")
    assert stats()["epoch"] == 0
    page.click("#epoch")                                               # the rest of the epoch: 50 points / 10
    page.wait_for_function("window.playground.frame.stats.epoch === 1")
    assert stats()["steps"] == 5
    page.click("#play")
    page.wait_for_function("window.playground.frame.stats.epoch > 20")
    assert "pause" in page.locator("#play").inner_text()
    page.click("#play")
    page.wait_for_function("!window.playground.playing")
    page.wait_for_timeout(200)
    paused_at = stats()["epoch"]
    page.wait_for_timeout(300)
    assert stats()["epoch"] == paused_at
    assert page.evaluate("window.playground.history.train_loss.length") == paused_at + 1   # one point per epoch
    assert float(page.locator("#epoch-count").inner_text().replace(",", "")) == paused_at
    page.click("#reset")
    page.wait_for_function("window.playground.frame.stats.epoch === 0 && window.playground.frame.stats.steps === 0")
    set_value(page, "#batching", "full")
    wait_settings(page, "s.batching === 'full'")
    page.click("#step")
    page.wait_for_function("window.playground.frame.stats.epoch === 1")     # full batch: one step, one epoch
    set_value(page, "#batching", "stochastic")
    wait_settings(page, "s.batching === 'stochastic'")
    page.click("#epoch")
    page.wait_for_function("window.playground.frame.stats.steps === 51")    # one step per point
