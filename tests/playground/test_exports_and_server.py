"""Exports (model file read back with cr.load, script run), and the server: closed and parallel tabs,
localhost by default, the command line."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import time
import urllib.request

import numpy as np
import pytest
from conftest import free_port, settings

import chainrule as cr
from chainrule.playground import dataset


def train_and_export(page, epochs, button):
    """Press "epoch" ``epochs`` times, then an export button; return the download."""
    for _ in range(epochs):
        page.click("#epoch")
    page.wait_for_function(f"window.playground.frame.stats.epoch === {epochs}")
    with page.expect_download() as download:
        page.click(button)
    return download.value


def test_exported_model_file_predicts_what_the_page_draws(open_page, tmp_path):
    page = open_page("?dataset=moons&layers=6,4&activations=tanh,relu&features=x1,x2,x1*x2")
    download = train_and_export(page, 3, "#export-model")
    assert download.suggested_filename == "playground-model.safetensors"
    path = tmp_path / "model.safetensors"
    download.save_as(path)
    model = cr.load(str(path))
    assert [type(m).__name__ for m in model] == ["Linear", "Tanh", "Linear", "ReLU", "Linear", "Sigmoid"]
    # the page's plane: the loaded model's output on the same 100x100 grid, as the server drew it
    x1_min, x1_max, x2_min, x2_max = page.evaluate("window.playground.data.extent")
    x1, x2 = np.meshgrid(np.linspace(x1_min, x1_max, 100), np.linspace(x2_max, x2_min, 100))
    grid = np.stack([x1.ravel(), x2.ravel(), x1.ravel() * x2.ravel()], axis=1).astype(np.float32)
    with cr.no_grad():
        probability = model(cr.tensor(grid)).numpy()[:, 0]
    drawn = np.frombuffer(base64.b64decode(page.evaluate("window.playground.frame.boundary.values")), np.uint8)
    assert np.abs(np.round(probability * 255) - drawn).max() <= 1
    # and its test loss is the one the page shows
    _, _, X_test, y_test = dataset(settings(page))
    with cr.no_grad():
        loss = cr.nn.BCELoss()(model(cr.tensor(X_test)), cr.tensor(y_test)).item()
    assert loss == pytest.approx(page.evaluate("window.playground.frame.stats.test_loss"), rel=1e-5)


def test_exported_script_rebuilds_and_trains_the_network(open_page, tmp_path):
    page = open_page("?dataset=xor&noise=0.1&layers=4&activations=tanh&regularization=l2&reg_rate=0.001&lr=0.05")
    download = train_and_export(page, 2, "#export-script")
    script = tmp_path / download.suggested_filename
    download.save_as(script)
    text = script.read_text()
    assert "nn.Linear(in_features=2, out_features=4)" in text and "nn.l2_penalty(model, include_bias=False)" in text
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                            env=environment)
    assert result.returncode == 0, result.stderr
    accuracy = float(result.stdout.split("test accuracy")[1])
    assert 0.0 <= accuracy <= 1.0
    # the script trains as the page does: same seed, same batches -> the same test accuracy after 2 epochs
    assert accuracy == pytest.approx(page.evaluate("window.playground.frame.stats.test_acc"), abs=5e-4)  # printed .3f
    assert cr.load(str(tmp_path / "playground-model.safetensors"))[0].weight.shape == (4, 2)


def test_server_survives_closed_tabs_and_serves_several_at_once(open_page):
    pages = [open_page("?dataset=spirals"), open_page("?dataset=xor"), open_page("?dataset=moons")]
    for page in pages:
        page.click("#play")
    for page in pages:
        page.wait_for_function("window.playground.frame.stats.epoch > 3")
    pages[0].close()                                                  # mid-training
    pages[1].evaluate("window.playground.socket.close()")             # a dropped connection
    pages[1].wait_for_selector("#messages .error:has-text('connection to the server closed')")
    epoch = pages[2].evaluate("window.playground.frame.stats.epoch")
    pages[2].wait_for_function(f"window.playground.frame.stats.epoch > {epoch + 3}")
    pages[2].click("#play")
    assert settings(open_page())["dataset"] == "circles"             # a new tab still gets its own session


def test_bad_messages_are_answered_with_a_message(open_page):
    page = open_page()
    page.evaluate("window.playground.socket.send('not json')")
    page.wait_for_selector("#messages .error")
    page.evaluate("""window.playground.socket.send(JSON.stringify({type: 'configure',
                     settings: {layers: [4, 4, 4, 4, 4, 4, 4], activations: []}}))""")
    page.wait_for_selector("#messages .error:has-text('at most 6 hidden-layer sizes')")
    page.evaluate("window.playground.socket.send(JSON.stringify({type: 'explain', split: 'train', index: 99999}))")
    page.wait_for_selector("#messages .error:has-text('no train point number 99999')")
    page.click("#epoch")
    page.wait_for_function("window.playground.frame.stats.epoch === 1")


def listening_addresses(port):
    """Local addresses of sockets listening on ``port`` (Linux /proc/net/tcp: state 0A = LISTEN)."""
    found = []
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(name):
            continue
        for line in open(name).read().splitlines()[1:]:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.split(":")
            if int(hex_port, 16) == port and state == "0A":
                found.append(address)
    return found


def test_command_line_serves_on_localhost_by_default(tmp_path):
    port = free_port()
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    process = subprocess.Popen([sys.executable, "-m", "chainrule", "playground", "--no-browser", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.1)
        assert "chainrule playground" in page
        assert "/static/js/main.js" in page and "http" not in page.split("<body>")[0].replace("http-equiv", "")
        assert listening_addresses(port) == ["0100007F"]                   # 127.0.0.1 only
        script = urllib.request.urlopen(f"http://127.0.0.1:{port}/static/js/main.js", timeout=2).read().decode()
        assert "import" in script and "https://" not in script             # nothing from the internet
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert f"http://localhost:{port}/" in process.stdout.read()


def test_command_line_refuses_bad_arguments(tmp_path):
    from chainrule.cli import main

    assert main(["playground", "--target", "label", "--no-browser"]) == 2
    assert main(["playground", "--port", "70000", "--no-browser"]) == 2
    assert main(["playground", "--data", str(tmp_path / "missing.csv"), "--no-browser"]) == 2
