"""The benchmark results as text: every figure with its spread, and one summary table against the
targets of the speed issue (ratios from the same run only)."""

from __future__ import annotations

from typing import Any

# key in results -> (benchmark, what is measured, unit, higher is better)
MEASURES = {
    "1_mnist_float32_samples_per_s": ("1 MNIST MLP training, float32", "samples/s", True),
    "1_mnist_float64_samples_per_s": ("1 MNIST MLP training, float64", "samples/s", True),
    "2_tiny_us_per_step": ("2 tiny 2-4-1 step", "us/step", False),
    "3_inference_samples_per_s": ("3 inference, no_grad", "samples/s", True),
    "4_adam_samples_per_s": ("4 Adam", "samples/s", True),
    "4_sgd_momentum_wd_samples_per_s": ("4 SGD + momentum + wd", "samples/s", True),
}


def _fmt(value: dict[str, float]) -> str:
    return f"{value['median']:>12.4g}  [{value['min']:.4g} - {value['max']:.4g}]"


def _speedup(results: dict[str, Any], key: str, other: str, mine: str = "chainrule") -> float | None:
    """How many times faster ``mine`` is than ``other`` (>1: ``mine`` is faster)."""
    value = results.get(key)
    if not isinstance(value, dict) or mine not in value or other not in value:
        return None
    a, b = value[mine]["median"], value[other]["median"]
    return a / b if MEASURES[key][2] else b / a


def print_details(results: dict[str, Any]) -> None:
    """Every figure: median [min - max] over the rounds, per contender."""
    for key, value in results.items():
        print(f"\n== {key}")
        if key == "machine" or not isinstance(value, (dict, list)) or "skipped" in value:
            print(f"  {value}")
        elif key == "6_scaling":
            print(f"  {'width':>6} {'batch':>6} {'chainrule/s':>12} {'torch/s':>12} {'ratio':>7}")
            for p in value:
                print(f"  {p['width']:>6} {p['batch']:>6} {p['chainrule']:>12.0f} {p['torch']:>12.0f} "
                      f"{p['ratio']:>7.2f}")
        elif key == "7_memory":
            for name, m in value.items():
                print(f"  {name:<10} {m}")
        elif key == "5_sklearn_s_per_epoch":
            for solver, res in value.items():
                for name, v in res.items():
                    print(f"  {solver:<5} {name:<10} {_fmt(v)}")
        else:
            for name, v in value.items():
                print(f"  {name:<18} {_fmt(v)}")
            for mine in ("chainrule", "chainrule_compiled"):
                for other in value:
                    if other not in ("chainrule", mine) and mine in value:
                        ratio = _speedup(results, key, other, mine)
                        print(f"  {mine} vs {other}: {ratio:.2f}x "
                              f"{'faster' if ratio and ratio >= 1 else 'slower'}")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value >= 1000 else f"{value:.3g}"


def _mark(met: bool | None) -> str:
    return "n/a" if met is None else ("yes" if met else "**no**")


def summary_markdown(results: dict[str, Any]) -> str:
    """One Markdown table: each benchmark's chainrule figure, the ratios, the target and whether it is met."""
    rows = ["| benchmark | chainrule | compiled | PyTorch | NumPy ref. | JAX jit | JAX scan | chainrule vs PyTorch "
            "| chainrule vs NumPy | compiled vs PyTorch | compiled vs NumPy | compiled vs JAX jit | target | met |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for key, (title, unit, _) in MEASURES.items():
        value = results.get(key)
        if not isinstance(value, dict):
            continue
        vs_torch, vs_numpy = _speedup(results, key, "torch"), _speedup(results, key, "numpy")
        compiled = [_speedup(results, key, other, "chainrule_compiled") for other in ("torch", "numpy", "jax")]
        figures = [f"{_number(value[c]['median'])} {unit}" if c in value else ""
                   for c in ("chainrule", "chainrule_compiled", "torch", "numpy", "jax", "jax_scan")]
        if key.startswith("1_"):
            target = ">= 1.2x PyTorch, >= 0.95x NumPy"
            met = None if vs_torch is None or vs_numpy is None else vs_torch >= 1.2 and vs_numpy >= 0.95
            if key == "1_mnist_float32_samples_per_s":
                target += "; compiled >= 1.3x PyTorch, >= 1x NumPy"
                if met is not None and None not in compiled[:2]:
                    met = met and compiled[0] >= 1.3 and compiled[1] >= 1.0  # type: ignore[operator]
        elif key.startswith("2_"):
            target = "<= 0.5x PyTorch's time (>= 2x); compiled <= 2x JAX jit's time"
            met = None if vs_torch is None else vs_torch >= 2.0
            if met is not None and compiled[2] is not None:
                met = met and compiled[2] >= 0.5
        else:
            target = ">= PyTorch"
            met = None if vs_torch is None else vs_torch >= 1.0
        ratios = [f"{r:.2f}x" if r is not None else "" for r in (vs_torch, vs_numpy, *compiled)]
        rows.append(f"| {title} | {' | '.join(figures)} | {' | '.join(ratios)} | {target} | {_mark(met)} |")
    rows += ["", "| benchmark | chainrule | PyTorch | NumPy ref. | chainrule vs PyTorch | chainrule vs NumPy | target "
             "| met |", "|---|---|---|---|---|---|---|---|"]
    sklearn = results.get("5_sklearn_s_per_epoch")
    if isinstance(sklearn, dict) and "skipped" not in sklearn:
        for solver, res in sklearn.items():
            speedup = res["sklearn"]["median"] / res["chainrule"]["median"]
            rows.append(f"| 5 sklearn MLPClassifier, {solver} | {res['chainrule']['median']:.3g} s/epoch | | | "
                        f"{speedup:.2f}x vs scikit-learn ({res['sklearn']['median']:.3g} s/epoch) | | "
                        f"faster than scikit-learn | {_mark(speedup >= 1)} |")
    scaling = results.get("6_scaling")
    if isinstance(scaling, list):
        behind = [p for p in scaling if p["batch"] >= 16 and p["ratio"] < 1]
        worst = min((p["ratio"] for p in scaling if p["batch"] >= 16), default=float("nan"))
        points = ", ".join(f"w{p['width']}/b{p['batch']}: {p['ratio']:.2f}" for p in scaling)
        rows.append(f"| 6 scaling (throughput ratio, width/batch) | {points} | | | lowest at batch >= 16: "
                    f"{worst:.2f}x | | >= 1 at batch >= 16 | {_mark(not behind)} |")
    memory = results.get("7_memory")
    if isinstance(memory, dict) and "chainrule" in memory and "error" not in memory["chainrule"]:
        mine = memory["chainrule"]
        torch = memory.get("torch", {})
        growth = mine["growth_after_first_epoch_mb"]
        below = "peak_rss_mb" in torch and mine["peak_rss_mb"] < torch["peak_rss_mb"]
        torch_text = (f"{torch['peak_rss_mb']:.0f} MB peak, training +{torch['training_cost_mb']:.0f} MB"
                      if "peak_rss_mb" in torch else "")
        numpy_text = (f"{memory['numpy']['peak_rss_mb']:.0f} MB peak, training "
                      f"+{memory['numpy']['training_cost_mb']:.0f} MB" if "peak_rss_mb" in memory.get("numpy", {})
                      else "")
        rows.append(f"| 7 memory (benchmark 1) | {mine['peak_rss_mb']:.0f} MB peak, training "
                    f"+{mine['training_cost_mb']:.0f} MB, growth {growth:+.1f} MB after epoch 1 | {torch_text} | "
                    f"{numpy_text} | | | peak below PyTorch's, no growth | {_mark(below and growth < 1.0)} |")
    machine = results.get("machine", {})
    rows.append("")
    quick = " (--quick sizes)" if machine.get("quick") else ""
    rows.append(f"Python {machine.get('python')}, NumPy {machine.get('numpy')}, PyTorch {machine.get('torch', '-')}, "
                f"{machine.get('threads')} thread(s) on {machine.get('cpus')} CPUs, {machine.get('clock')}, "
                f"median of {machine.get('rounds')} interleaved round(s){quick}.")
    return "\n".join(rows)
