"""Your own data on the page: a CSV upload (wider than 2-D, two columns picked to draw), the command
line's --data/--target, and bad files, each answered with a message while the page keeps working."""

from __future__ import annotations

import numpy as np
from conftest import Server, set_value, settings, wait_settings


def write_csv(path, header, rows):
    path.write_text(",".join(header) + "\n" + "\n".join(",".join(str(v) for v in row) for row in rows) + "\n")
    return str(path)


def upload(page, path):
    page.set_input_files("#csv-file", path)


def wide_file(tmp_path, n=120):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 3))
    species = np.where(X[:, 0] + X[:, 2] > 0, "yes", "no")
    rows = [[f"{a:.3f}", f"{b:.3f}", f"{c:.3f}", f"id{k}", s]
            for k, ((a, b, c), s) in enumerate(zip(X, species, strict=True))]
    return write_csv(tmp_path / "wide.csv", ["height", "width", "depth", "name", "label"], rows)


def test_csv_upload_trains_on_every_numeric_column_and_draws_the_two_picked(open_page, tmp_path):
    page = open_page()
    upload(page, wide_file(tmp_path))
    wait_settings(page, "s.dataset === 'csv'")
    data = page.evaluate("window.playground.data")
    assert data["class_names"] == ["no", "yes"] and data["axis_names"] == ["height", "width"]
    assert data["input_names"] == ["x1", "x2", "depth"] and data["sizes"][0] == 3
    page.wait_for_selector("#messages .notice:has-text('left out column(s) holding text')")
    assert page.locator("#target").input_value() == "label"
    set_value(page, "#plot-y", "depth")
    wait_settings(page, "s.plot[1] === 'depth'")
    assert page.evaluate("window.playground.data.axis_names") == ["height", "depth"]
    assert "x1: height, x2: depth" in page.locator("#axis-names").inner_text()
    page.click("#epoch")
    page.wait_for_function("window.playground.frame.stats.epoch === 1")
    reloaded = open_page("?" + page.url.split("?", 1)[1])             # the URL names the uploaded file by its id
    assert settings(reloaded) == settings(page)
    set_value(reloaded, "#target", "depth")                          # a numeric target: a regression
    wait_settings(reloaded, "s.target === 'depth'")
    assert reloaded.evaluate("window.playground.data.kind") == "regression"


def test_bad_csv_files_get_a_message_and_the_page_keeps_working(open_page, tmp_path):
    page = open_page()
    cases = {
        "mixed.csv": (["a", "b", "label"], [[1, 2, 0], [3, "oops", 1], [4, 5, 0]], "'oops' is not a number"),
        "one_class.csv": (["a", "b", "label"], [[1, 2, "x"], [3, 4, "x"], [5, 6, "x"]], "one class only"),
        "missing.csv": (["a", "b", "label"], [[1, 2, 0], [3, "NaN", 1], [4, 5, 0]], "missing value"),
        "one_column.csv": (["a", "label"], [[1, 0], [2, 1]], "needs at least two"),
    }
    for name, (header, rows, expected) in cases.items():
        upload(page, write_csv(tmp_path / name, header, rows))
        page.wait_for_selector(f"#messages .error:has-text(\"{expected}\")", timeout=10000)
    (tmp_path / "text.csv").write_bytes(b"\x89PNG not a csv \xff\xfe\x00")
    upload(page, str(tmp_path / "text.csv"))
    page.wait_for_selector("#messages .error:has-text('not UTF-8')")
    rng = np.random.default_rng(1)
    big = [[f"{a:.3f}", f"{b:.3f}", int(a > b)] for a, b in rng.normal(size=(10_000, 2))]
    upload(page, write_csv(tmp_path / "big.csv", ["a", "b", "label"], big))
    page.wait_for_selector("#messages .notice:has-text('has 10000 rows; the playground uses a random 5000')",
                           timeout=15000)
    train, test = (len(page.evaluate(f"window.playground.data.points.{s}")) for s in ("train", "test"))
    assert train + test == 5000
    set_value(page, "#dataset", "moons")                               # still alive and training
    wait_settings(page, "s.dataset === 'moons'")
    page.click("#epoch")
    page.wait_for_function("window.playground.frame.stats.epoch === 1")


def test_data_and_target_from_the_command_line(browser, open_page, tmp_path):
    from chainrule.playground import create_app

    path = wide_file(tmp_path)
    with Server(create_app(path, "label")) as server:
        page = open_page(base=server.url)
        assert settings(page)["dataset"] == "csv"
        assert page.evaluate("window.playground.data.class_names") == ["no", "yes"]
