"""CSV files as users have them (quoted, BOM, Windows line ends, tabs, an id column, huge or constant
columns, columns in another order), run through ``main`` in this process."""

from __future__ import annotations

import json
import re
import warnings

import numpy as np
import pytest
from cli_helpers import read_csv

import chainrule as cr
from chainrule.cli import main
from chainrule.io import read_model

FAST = ["--epochs", "2", "--hidden", "4", "--batch-size", "8", "--quiet"]


def rows(n: int = 40, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = np.round(rng.normal(size=(n, 3)), 3)
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def lines(X: np.ndarray, y: np.ndarray) -> list[list[str]]:
    return [[f"{value:.3f}" for value in x] + [str(label)] for x, label in zip(X, y, strict=True)]


def weights(path) -> dict[str, bytes]:
    return {name: tensor.numpy().tobytes() for name, tensor in cr.load_state_dict(path).items()}


def train(tmp_path, name: str, *extra: str, target: str = "label") -> int:
    return main(["train", "--data", str(tmp_path / name), "--target", target, *FAST,
                 "--out", str(tmp_path / f"{name}.safetensors"), *extra])


def test_every_common_csv_dialect_trains_the_same_model(tmp_path) -> None:
    X, y = rows()
    body = lines(X, y)
    header = ["a", "b", "c", "label"]
    variants = {
        "plain.csv": "\n".join(",".join(row) for row in [header, *body]) + "\n",
        "quoted.csv": "\n".join(",".join(f'"{cell}"' for cell in row) for row in [header, *body]) + "\n",
        "bom.csv": "\ufeff" + "\n".join(",".join(row) for row in [header, *body]) + "\n",
        "windows.csv": "\r\n".join(",".join(row) for row in [header, *body]) + "\r\n",
        "blank-lines.csv": "\n".join(",".join(row) for row in [header, *body]) + "\n\n \n\n",
        "spaces.csv": "\n".join(" , ".join(f" {cell} " for cell in row) for row in [header, *body]) + "\n",
        "tabs.tsv": "\n".join("\t".join(row) for row in [header, *body]) + "\n",
        "trailing-commas.csv": "\n".join(",".join(row) + "," for row in [header, *body]) + "\n",
    }
    # a spreadsheet's "Unicode text": UTF-16 with a byte-order mark, tab-separated, Windows line ends
    variants["unicode-text.txt"] = "\r\n".join("\t".join(row) for row in [header, *body]) + "\r\n"
    for name, text in variants.items():
        (tmp_path / name).write_bytes(text.encode("utf-16" if name.endswith(".txt") else "utf-8"))
        assert train(tmp_path, name) == 0, name
    expected = weights(tmp_path / "plain.csv.safetensors")
    for name in variants:
        assert weights(tmp_path / f"{name}.safetensors") == expected, name
        assert read_model(tmp_path / f"{name}.safetensors").metadata["feature_names"] == ["a", "b", "c"], name


def test_a_semicolon_file_gets_a_hint_about_the_separator(tmp_path, capsys) -> None:
    X, y = rows()
    text = "a;b;c;label\n" + "\n".join(";".join(cell.replace(".", ",") for cell in row) for row in lines(X, y))
    (tmp_path / "excel.csv").write_text(text + "\n")
    assert train(tmp_path, "excel.csv") == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith("chainrule: error:") for line in err)
    assert "looks separated by ';'" in err[0] and "comma-separated" in err[1] and "decimal point" in err[1]


def test_an_id_column_is_named_with_how_to_leave_it_out(tmp_path, capsys) -> None:
    X, y = rows()
    body = [[f"user-{index}", *row] for index, row in enumerate(lines(X, y))]
    (tmp_path / "ids.csv").write_text("id,a,b,c,label\n" + "\n".join(",".join(row) for row in body) + "\n")
    assert train(tmp_path, "ids.csv") == 2
    err = capsys.readouterr().err
    assert "line 2, column 'id': 'user-0' is not a number" in err and "--ignore id" in err
    assert train(tmp_path, "ids.csv", "--ignore", "id") == 0
    assert read_model(tmp_path / "ids.csv.safetensors").metadata["feature_names"] == ["a", "b", "c"]
    # predict takes the same file: the id column is not a feature, so it is skipped with a note
    assert main(["predict", str(tmp_path / "ids.csv.safetensors"), "--data", str(tmp_path / "ids.csv")]) == 0
    captured = capsys.readouterr()
    assert "ignored the columns the model does not use: id" in captured.err
    assert main(["predict", str(tmp_path / "ids.csv.safetensors"), "--data", str(tmp_path / "ids.csv"),
                 "--quiet"]) == 0
    assert capsys.readouterr().err == ""


def test_a_text_cell_in_a_numeric_column_keeps_the_general_hint(tmp_path, capsys) -> None:
    (tmp_path / "typo.csv").write_text("a,b,label\n1,2,0\n3,x,1\n5,6,0\n")
    assert train(tmp_path, "typo.csv") == 2
    err = capsys.readouterr().err
    assert "line 3, column 'b': 'x' is not a number" in err and "--ignore" not in err


def test_columns_are_matched_by_name_at_predict_time(tmp_path, capsys) -> None:
    X, y = rows()
    (tmp_path / "d.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in lines(X, y)) + "\n")
    assert train(tmp_path, "d.csv") == 0
    reordered = [[f"{c:.3f}", str(label), f"{a:.3f}", f"{b:.3f}"] for (a, b, c), label in zip(X, y, strict=True)]
    (tmp_path / "r.csv").write_text("c,label,a,b\n" + "\n".join(",".join(row) for row in reordered) + "\n")
    model = str(tmp_path / "d.csv.safetensors")
    for name in ("d.csv", "r.csv"):
        assert main(["predict", model, "--data", str(tmp_path / name), "--proba",
                     "--out", str(tmp_path / f"{name}.out")]) == 0
    assert read_csv(tmp_path / "d.csv.out") == read_csv(tmp_path / "r.csv.out")
    capsys.readouterr()


def test_a_constant_column_is_not_divided_by_zero(tmp_path) -> None:
    X, y = rows()
    body = [[*row[:2], "5", row[3]] for row in lines(X, y)]
    (tmp_path / "c.csv").write_text("a,b,const,label\n" + "\n".join(",".join(row) for row in body) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # a division by zero would warn
        assert train(tmp_path, "c.csv") == 0
    scaling = read_model(tmp_path / "c.csv.safetensors").metadata["feature_scaling"]
    assert scaling["mean"][2] == 5.0 and scaling["std"][2] == 1.0
    assert all(np.isfinite(t.numpy()).all() for t in cr.load_state_dict(tmp_path / "c.csv.safetensors").values())


def test_huge_values_train_quietly_and_out_of_range_rows_are_named(tmp_path, capsys) -> None:
    X, y = rows()
    huge = [[f"{a * 1e300:.3e}", f"{b * 1e30:.3e}", f"{c:.3f}", str(label)] for (a, b, c), label in
            zip(X, y, strict=True)]
    (tmp_path / "h.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in huge) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")   # no overflow in the standardisation
        assert train(tmp_path, "h.csv", "--val-split", "0") == 0
    std = read_model(tmp_path / "h.csv.safetensors").metadata["feature_scaling"]["std"]
    column = np.array([float(row[0]) for row in huge])
    np.testing.assert_allclose(std[0], (column / 1e300).std() * 1e300, rtol=1e-12)
    # a model trained on unit-sized data, given a value of 1e300, says which cell is out of range
    small = [[f"{a:.3f}", f"{b:.3f}", f"{c:.3f}", str(label)] for (a, b, c), label in zip(X, y, strict=True)]
    (tmp_path / "s.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in small) + "\n")
    assert train(tmp_path, "s.csv") == 0
    capsys.readouterr()
    assert main(["predict", str(tmp_path / "s.csv.safetensors"), "--data", str(tmp_path / "h.csv")]) == 2
    err = capsys.readouterr().err
    assert "h.csv, line 2, column 'a'" in err and "too far outside the range of the training data" in err


def test_a_huge_regression_target_reports_strict_json(tmp_path, capsys) -> None:
    X, _ = rows()
    target = (2 * X[:, 0] - X[:, 1] + 0.5) * 1e200
    body = [[f"{a:.3f}", f"{b:.3f}", f"{c:.3f}", f"{t:.6e}"] for (a, b, c), t in zip(X, target, strict=True)]
    (tmp_path / "r.csv").write_text("a,b,c,price\n" + "\n".join(",".join(row) for row in body) + "\n")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert train(tmp_path, "r.csv", target="price") == 0
        assert main(["evaluate", str(tmp_path / "r.csv.safetensors"), "--data", str(tmp_path / "r.csv"),
                     "--target", "price", "--json"]) == 0
    out = capsys.readouterr().out.splitlines()
    scores = json.loads(out[-1], parse_constant=lambda name: pytest.fail(f"not strict JSON: {name}"))
    assert scores["mse"] is None                       # (1e200)^2 overflows float64: no number to give
    assert 1e197 < scores["mae"] < 1e202 and -10 < scores["r2"] <= 1
    assert re.search(r"mae \d\.\d{4}e\+\d+  r2", out[-2])   # scientific notation, not 200 digits


def test_target_names_are_stripped_and_near_misses_suggested(tmp_path, capsys) -> None:
    X, y = rows()
    (tmp_path / "d.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in lines(X, y)) + "\n")
    assert train(tmp_path, "d.csv", target=" label ") == 0
    assert read_model(tmp_path / "d.csv.safetensors").metadata["target"] == "label"
    for wrong in ("Label", "lable"):
        assert train(tmp_path, "d.csv", target=wrong) == 2
        err = capsys.readouterr().err.splitlines()
        assert f"target column '{wrong}' not in" in err[0] and err[1] == "chainrule: error: did you mean 'label'? " \
            "(names are case-sensitive)"


def test_one_epoch_is_singular(tmp_path, capsys) -> None:
    X, y = rows()
    (tmp_path / "d.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in lines(X, y)) + "\n")
    assert main(["train", "--data", str(tmp_path / "d.csv"), "--target", "label", "--epochs", "1",
                 "--out", str(tmp_path / "m.safetensors")]) == 0
    assert "trained 1 epoch in" in capsys.readouterr().out


def test_a_windows_config_file_with_a_bom_and_whole_floats_is_read(tmp_path, monkeypatch) -> None:
    X, y = rows()
    (tmp_path / "d.csv").write_text("a,b,c,label\n" + "\n".join(",".join(row) for row in lines(X, y)) + "\n")
    text = '\ufeffdata = "d.csv"\r\ntarget = "label"\r\nepochs = 3.0\r\nhidden = [4]\r\nquiet = true\r\n'
    (tmp_path / "run.toml").write_bytes(text.encode("utf-8"))
    monkeypatch.chdir(tmp_path)
    assert main(["train", "--config", "run.toml", "--out", "m.safetensors"]) == 0
    settings = read_model(tmp_path / "m.safetensors").metadata["training"]["settings"]
    assert settings["epochs"] == 3 and isinstance(settings["epochs"], int) and settings["hidden"] == [4]
