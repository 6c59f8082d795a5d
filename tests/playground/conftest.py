"""A playground server (uvicorn in a thread, on a free port); the browser is tests/conftest.py's."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    def __init__(self, app: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning",
                                                    ws_max_size=32 * 1024 * 1024))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the playground server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def server() -> Iterator[Server]:
    from chainrule.playground import create_app

    with Server(create_app()) as running:
        yield running



@pytest.fixture
def open_page(browser: Any, server: Server) -> Iterator[Any]:
    """``open_page(query="")``: a new tab on the playground, waiting for its first frame; page errors fail."""
    context = browser.new_context(viewport={"width": 1400, "height": 950}, accept_downloads=True)
    errors: list[str] = []

    def opener(query: str = "", base: str | None = None) -> Any:
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto((base or server.url) + query)
        page.wait_for_function("window.playground && window.playground.frame !== null")
        return page

    yield opener
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def settings(page: Any) -> dict[str, Any]:
    """The settings the server last accepted (it sends them back with the data)."""
    return dict(page.evaluate("window.playground.data.settings"))


def set_value(page: Any, selector: str, value: Any) -> None:
    """Type or pick a value as a user does, then let the page see the change."""
    element = page.locator(selector)
    tag, kind = element.evaluate("e => [e.tagName, e.type]")
    if tag == "SELECT":
        element.select_option(str(value))
    else:
        element.evaluate("(e, v) => { e.value = v; e.dispatchEvent(new Event('input')); }", str(value))
        element.dispatch_event("change")


def wait_settings(page: Any, condition: str) -> None:
    """Wait until the server accepted settings ``s`` with ``condition`` (JavaScript) true."""
    page.wait_for_function(f"(() => {{ const s = window.playground.data && window.playground.data.settings; "
                           f"return s && ({condition}); }})()", timeout=10000)
