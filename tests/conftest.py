"""Fixtures shared by the test folders: one real Chromium per test process, driven by Playwright.

Playwright's sync API runs an event loop for as long as it is open, and a second one cannot start in a
process while the first runs; so every browser test (the playground's, the documentation site's) takes
this one session-wide browser, whichever order pytest-xdist gives the tests of a worker.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"   # the Debian package (apt-get install -y chromium); nothing is downloaded
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright import sync_api

    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
