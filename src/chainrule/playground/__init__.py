"""The browser playground: train a network live and see every neuron, weight and number.

``chainrule playground`` (or :func:`serve`) starts a local web server and opens the page. Training runs
in chainrule's engine on the server; the page (plain ES modules shipped in ``static/``, nothing loaded
from the internet) draws what it is sent. Needs the extra ``chainrule[playground]`` (Starlette, uvicorn).

:func:`dataset` gives the data a page trains on, for the scripts the page exports.
"""

from __future__ import annotations

import threading
import webbrowser
from typing import Any

from chainrule.playground.session import dataset


def create_app(data: str | None = None, target: str | None = None) -> Any:
    """The ASGI app (Starlette); see :mod:`chainrule.playground.app`."""
    from chainrule.playground.app import create_app as _create_app

    return _create_app(data, target)


def serve(host: str = "127.0.0.1", port: int = 8050, open_browser: bool = True, data: str | None = None,
          target: str | None = None) -> None:
    """Serve the playground on ``host:port`` (localhost only unless told) until interrupted."""
    import uvicorn

    app = create_app(data, target)
    url = f"http://{'localhost' if host in ('127.0.0.1', '0.0.0.0', '::') else host}:{port}/"
    print(f"chainrule playground: {url}   (Ctrl+C stops it)", flush=True)
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    uvicorn.run(app, host=host, port=port, log_level="warning", ws_max_size=32 * 1024 * 1024)


__all__ = ["create_app", "dataset", "serve"]
