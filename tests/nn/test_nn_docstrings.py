"""The examples in the docstrings of chainrule.nn run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

import chainrule as cr

MODULES = ["chainrule.nn", "chainrule.nn.parameter", "chainrule.nn.linear", "chainrule.nn.container",
           "chainrule.nn.activations", "chainrule.nn.losses", "chainrule.nn.functional",
           "chainrule.nn.flatten", "chainrule.nn.dropout", "chainrule.nn.init", "chainrule.nn.regularization",
           "chainrule.nn.utils"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    cr.manual_seed(0)
    module = importlib.import_module(name)
    result = doctest.testmod(module, extraglobs={"cr": cr}, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no docstring example"
    assert result.failed == 0
