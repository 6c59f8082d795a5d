"""The engine's two hooks (what DistributedDataParallel builds on): a leaf's post-accumulate-grad hook
runs once per backward walk with the walk's whole gradient already in ``.grad``; callbacks queued during a
walk run once it has ended, and are dropped when it fails."""

from __future__ import annotations

import gc

import pytest

import chainrule as cr
from chainrule.autograd import backward_hooks
from chainrule.autograd.backward_hooks import queue_callback, register_post_accumulate_grad_hook


def test_hook_runs_once_per_walk_after_every_path_is_summed() -> None:
    w = cr.tensor([2.0, 3.0], requires_grad=True)
    seen: list[list[float]] = []
    register_post_accumulate_grad_hook(w, lambda t: seen.append(t.grad.tolist()))
    (w * w + 3 * w).sum().backward()          # w reached by three paths: 2w + 3
    assert seen == [[7.0, 9.0]]
    (w * 1.0).sum().backward()                # accumulates: the hook sees the running sum
    assert seen == [[7.0, 9.0], [8.0, 10.0]]


def test_hooks_run_once_per_parameter_and_callbacks_after_the_walk() -> None:
    cr.manual_seed(0)
    model = cr.nn.Sequential(cr.nn.Linear(3, 4), cr.nn.Tanh(), cr.nn.Linear(4, 1))
    events: list[str] = []
    names = {id(p): name for name, p in model.named_parameters()}

    def ready(parameter: cr.Tensor) -> None:
        events.append(names[id(parameter)])
        if len(events) == 1:
            queue_callback(lambda: events.append("end"))

    handles = [register_post_accumulate_grad_hook(p, ready) for p in model.parameters()]
    model(cr.randn(5, 3)).sum().backward()
    assert events[-1] == "end" and events.count("end") == 1
    assert sorted(events[:-1]) == sorted(names.values())
    for handle in handles:
        handle.remove()
    events.clear()
    model(cr.randn(5, 3)).sum().backward()
    assert events == []


def test_a_failing_walk_drops_the_queued_callbacks() -> None:
    w = cr.tensor([1.0], requires_grad=True)
    ran: list[int] = []

    def ready(parameter: cr.Tensor) -> None:
        queue_callback(lambda: ran.append(1))
        raise RuntimeError("hook failed")

    register_post_accumulate_grad_hook(w, ready)
    with pytest.raises(RuntimeError, match="hook failed"):
        (w * 2).sum().backward()
    assert ran == [] and backward_hooks.queued_callbacks == []


def test_hooks_need_a_leaf_that_requires_grad_and_die_with_it() -> None:
    w = cr.tensor([1.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="non-leaf"):
        register_post_accumulate_grad_hook(w * 2, print)
    with pytest.raises(RuntimeError, match="does not require grad"):
        register_post_accumulate_grad_hook(cr.tensor([1.0]), print)
    with pytest.raises(TypeError, match="must be callable"):
        register_post_accumulate_grad_hook(w, None)  # type: ignore[arg-type]
    key = id(w)
    register_post_accumulate_grad_hook(w, print)
    del w
    gc.collect()
    assert key not in backward_hooks.post_accumulate_grad_hooks
