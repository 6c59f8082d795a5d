"""``chainrule playground``: start the browser playground (a local web server) and open the page."""

from __future__ import annotations

import argparse

from chainrule.cli.errors import CommandError


def add_playground_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8050, help="port to listen on (default 8050)")
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default 127.0.0.1: this computer only; 0.0.0.0 opens it "
                             "to your network)")
    parser.add_argument("--no-browser", action="store_true", help="do not open a browser tab")
    parser.add_argument("--data", default=None, metavar="CSV", help="open the page with this CSV file")
    parser.add_argument("--target", default=None, metavar="COLUMN",
                        help="the CSV column to predict (default: the last column)")


def run_playground(args: argparse.Namespace) -> int:
    if not 0 < args.port < 65536:
        raise CommandError(f"--port must be from 1 to 65535, got {args.port}")
    if args.target is not None and args.data is None:
        raise CommandError("--target names a column of the --data file; give --data FILE.csv too")
    try:
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise CommandError(f"the playground needs {error.name}, which is not installed",
                           "install it with: python -m pip install 'chainrule[playground]'") from None
    from chainrule.playground import serve

    try:
        serve(host=args.host, port=args.port, open_browser=not args.no_browser, data=args.data, target=args.target)
    except ValueError as error:                 # a bad --data file or --target column
        raise CommandError(str(error)) from None
    return 0
