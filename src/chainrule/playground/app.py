"""The playground's ASGI app (Starlette): the page, its static ES modules, and one WebSocket per page.

Protocol (JSON messages). The page sends ``configure`` (its settings), ``play``, ``pause``, ``step``,
``epoch``, ``reset``, ``explain`` (a point), ``upload`` (a CSV file's text) and ``export`` (model or
script). The server answers ``data`` (points and plane, after each configure), ``frame`` (what to draw),
``state`` (playing or not), ``explain``, ``csv``, ``export`` and ``message`` (a notice or an error in
words). While playing, the server trains for a slice of time, then sends one frame and waits until it
is sent before training on: frames never queue up, and the page draws only the latest.

A mistake in a message (a bad setting, a bad CSV file) is answered with a ``message``; the page stays.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import json
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from chainrule.playground import settings as settings_table
from chainrule.playground.csv_data import CsvData
from chainrule.playground.session import Session

TRAIN_SLICE = 0.05       # seconds of training between two frames while playing (about 20 frames/s)
MAX_UPLOADS = 20         # CSV files kept for reloads (the URL names a file by its id)
STATIC = resources.files("chainrule.playground") / "static"
# NOTE: every engine call of every page runs on this one thread. chainrule's gradient mode (cr.no_grad) is
# one process-wide switch, not a per-thread one, so one page's drawing (under no_grad) must never overlap
# another page's training step. Pages take turns in slices of TRAIN_SLICE seconds; the event loop stays free.
_ENGINE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chainrule-engine")


async def _engine(function: Callable[..., Any], *args: Any) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_ENGINE, functools.partial(function, *args))


class _CsvStore(OrderedDict[str, CsvData]):
    """Uploaded CSV files by id (a hash of their text), the oldest forgotten past ``MAX_UPLOADS``."""

    def add(self, data: CsvData, key: str) -> None:
        self[key] = data
        self.move_to_end(key)
        while len(self) > MAX_UPLOADS + 1:
            oldest = next(k for k in self if k != "cli")      # the file given on the command line stays
            del self[oldest]


class _Page:
    """One WebSocket: its session, whether it is playing, and how much history it has been sent."""

    def __init__(self, websocket: WebSocket, store: _CsvStore) -> None:
        self.websocket, self.store = websocket, store
        self.session = Session(store)
        self.playing = asyncio.Event()
        self.lock = asyncio.Lock()
        self.history_sent = 0

    async def send_frame(self) -> None:
        frame = await _engine(self.session.frame, self.history_sent)
        self.history_sent = len(self.session.history["train_loss"])
        await self.websocket.send_text(json.dumps(_clean(frame)))

    async def trainer(self) -> None:
        while True:
            await self.playing.wait()
            async with self.lock:
                await _engine(self.session.train_for, TRAIN_SLICE)
                await self._after_training()

    async def _after_training(self) -> None:
        if self.session.error and self.playing.is_set():
            self.playing.clear()
            await self.websocket.send_json({"type": "state", "playing": False})
        await self.send_frame()

    async def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        session = self.session
        if kind == "configure":
            await _engine(session.configure, message.get("settings", {}))
            self.history_sent = 0
            await self.websocket.send_json({"type": "data", **session.description()})
            await self.send_frame()
        elif kind in ("play", "pause"):
            (self.playing.set if kind == "play" else self.playing.clear)()
            await self.websocket.send_json({"type": "state", "playing": kind == "play"})
        elif kind in ("step", "epoch"):
            await _engine(session.step if kind == "step" else session.run_epoch)
            await self._after_training()
        elif kind == "reset":
            await _engine(session.reset)
            self.history_sent = 0
            await self.send_frame()
        elif kind == "explain":
            html = await _engine(session.explain_point, str(message.get("split")), int(message["index"]))
            await self.websocket.send_json({"type": "explain", "html": html})
        elif kind == "upload":
            await self._upload(str(message.get("name", "upload.csv")), str(message.get("text", "")))
        elif kind == "export":
            await self._export(str(message.get("what")))
        else:
            raise ValueError(f"unknown message type {kind!r}")

    async def _upload(self, name: str, text: str) -> None:
        data = await _engine(CsvData.from_text, text, name)
        key = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
        self.store.add(data, key)
        await self.websocket.send_json({"type": "csv", "id": key, "name": name, "columns": data.columns})

    async def _export(self, what: str) -> None:
        if what == "model":
            payload = base64.b64encode(await _engine(self.session.model_file)).decode("ascii")
            reply = {"filename": "playground-model.safetensors", "base64": payload}
        elif what == "script":
            reply = {"filename": "playground_model.py", "text": self.session.script()}
        else:
            raise ValueError(f"export: what must be 'model' or 'script', got {what!r}")
        await self.websocket.send_json({"type": "export", "what": what, **reply})


def _clean(value: Any) -> Any:
    """NaN and infinities (a diverged loss) as strings, which JSON can carry and the page can show."""
    if isinstance(value, float) and (value != value or abs(value) == float("inf")):
        return str(value)
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


async def _websocket(websocket: WebSocket) -> None:
    await websocket.accept()
    page = _Page(websocket, websocket.app.state.csv_store)
    trainer = asyncio.create_task(page.trainer())
    try:
        while True:
            text = await websocket.receive_text()
            try:
                message = json.loads(text)
                if not isinstance(message, dict):
                    raise ValueError("a message must be a JSON object")
                async with page.lock:
                    await page.handle(message)
            except (ValueError, KeyError, TypeError) as error:
                await websocket.send_json({"type": "message", "level": "error", "text": str(error)})
    except WebSocketDisconnect:
        pass                                  # the tab closed: stop this page's training, nothing else
    finally:
        trainer.cancel()


async def _index(request: Request) -> FileResponse:
    return FileResponse(str(STATIC / "index.html"))


async def _config(request: Request) -> JSONResponse:
    state = request.app.state
    return JSONResponse({"defaults": {**settings_table.DEFAULTS, **state.default_overrides},
                         "choices": {"dataset": settings_table.DATASETS, "gate": settings_table.GATES,
                                     "features": settings_table.FEATURES, "activation": settings_table.ACTIVATIONS,
                                     "output": settings_table.OUTPUTS, "optimizer": settings_table.OPTIMIZERS,
                                     "batching": settings_table.BATCHING,
                                     "regularization": settings_table.REGULARIZATION},
                         "max_layers": settings_table.MAX_LAYERS, "max_neurons": settings_table.MAX_NEURONS})


def create_app(data: str | None = None, target: str | None = None) -> Starlette:
    """The ASGI app. ``data``/``target``: a CSV file (and its target column) the page opens with.

    A bad file raises ``ValueError`` with the reader's message (before any server starts).
    """
    store = _CsvStore()
    overrides: dict[str, Any] = {}
    if data is not None:
        csv = CsvData.from_path(data)
        csv.select(target or "", [])            # check the target column now, not on the page
        store.add(csv, "cli")
        overrides = {"dataset": "csv", "csv": "cli", "target": target or ""}
    app = Starlette(routes=[Route("/", _index), Route("/config.json", _config), WebSocketRoute("/ws", _websocket),
                            Mount("/static", StaticFiles(directory=str(STATIC)), name="static")])
    app.state.csv_store, app.state.default_overrides = store, overrides
    return app


__all__ = ["create_app"]
