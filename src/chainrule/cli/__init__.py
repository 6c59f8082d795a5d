"""The ``chainrule`` command (also ``python -m chainrule``): train, evaluate and use networks on your own
data without writing Python, and run the lecture notes' demos.

    chainrule train                                   the main job: an MLP on generated spirals
    chainrule train --data FILE.csv --target COLUMN   your data (features standardised, labels encoded)
    chainrule evaluate MODEL --data FILE.csv --target COLUMN [--json]
    chainrule predict MODEL --data FILE.csv [--out FILE.csv] [--proba]
    chainrule summary MODEL
    chainrule demo NAME                               logic-gates, xor, backprop-step, gradient-descent, ...
    chainrule datasets                                the built-in data sets
    chainrule playground [--port N] [--no-browser]    the browser playground (train and see a network live)

Every mistake in the input ends with exit code 2 and one or two lines ``chainrule: error: ...`` on
stderr saying what is wrong and how to fix it.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from typing import NoReturn

from chainrule.cli.errors import CommandError
from chainrule.cli.options import TRAIN_EXAMPLES, add_train_arguments, resolve


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake prints one ``chainrule: error:`` line and a pointer to --help."""

    def error(self, message: str) -> NoReturn:
        # "argument --lr: --lr must be a positive number" -> "--lr must be a positive number"
        message = re.sub(r"^argument (--[\w-]+): \1 ", r"\1 ", message)
        raise CommandError(message, f"see: {self.prog} --help")


def build_parser() -> argparse.ArgumentParser:
    from chainrule import __version__

    parser = _Parser(prog="chainrule", description="Train, evaluate and use neural networks; run the notes' demos.")
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    train = commands.add_parser("train", help="train a network (no arguments: the spirals demo job)",
                                description="Train an MLP on a CSV file, a built-in data set, or (with no\n"
                                "arguments) three generated spiral arms.", epilog=TRAIN_EXAMPLES,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_train_arguments(train)

    evaluate = commands.add_parser("evaluate", help="loss and accuracy (or MSE, MAE, R^2) of a model on a CSV")
    evaluate.add_argument("model", metavar="MODEL")
    evaluate.add_argument("--data", required=True, metavar="CSV")
    evaluate.add_argument("--target", required=True, metavar="COLUMN")
    evaluate.add_argument("--json", action="store_true", help="print the results as JSON on the last line")
    evaluate.add_argument("--quiet", action="store_true", help="no notes on stderr (the results are printed)")

    predict = commands.add_parser("predict", help="predictions of a model for the rows of a CSV file")
    predict.add_argument("model", metavar="MODEL")
    predict.add_argument("--data", required=True, metavar="CSV")
    predict.add_argument("--out", default=None, metavar="CSV", help="write them there (default: stdout)")
    predict.add_argument("--proba", action="store_true", help="add one probability column per class")
    predict.add_argument("--quiet", action="store_true", help="print only the predictions, no notes")

    summary = commands.add_parser("summary", help="architecture, parameter count and training details")
    summary.add_argument("model", metavar="MODEL")

    from chainrule.cli.demos import DEMOS, demo_list

    demo = commands.add_parser("demo", help="the notes' demos: " + ", ".join(DEMOS), epilog=demo_list(),
                               description="Run one of the lecture notes' demonstrations: it prints what it\n"
                               "computes, number by number where the notes give numbers.",
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    demo.add_argument("name", metavar="NAME", help="one of: " + ", ".join(DEMOS))
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument("--plot", default=None, metavar="PNG", help="save the demo's figure (where it has one)")
    demo.add_argument("--quiet", action="store_true", help="no progress display")

    commands.add_parser("datasets", help="list the built-in data sets")

    from chainrule.cli.playground_command import add_playground_arguments

    playground_help = "the browser playground: train a network live and see every neuron, weight and number"
    add_playground_arguments(commands.add_parser(
        "playground", help=playground_help,
        description=f"Start {playground_help} (a local web server; needs pip install 'chainrule[playground]'). "
                    "Everything runs on this computer; nothing is loaded from the internet."))
    return parser


def _datasets() -> int:
    from chainrule.data import list_datasets

    for name, description in list_datasets().items():
        print(f"  {name:<14} {description}")
    print("use one with: chainrule train --dataset NAME")
    return 0


def _dispatch(args: argparse.Namespace) -> int:
    if args.command in (None, "train"):
        from chainrule.cli.train_command import run_train

        if args.command is None:
            raise CommandError("no command given", "try: chainrule train   (or chainrule --help)")
        return run_train(resolve(args))
    if args.command == "evaluate":
        from chainrule.cli.model_commands import run_evaluate

        return run_evaluate(args.model, args.data, args.target, args.json, args.quiet)
    if args.command == "predict":
        from chainrule.cli.model_commands import run_predict

        return run_predict(args.model, args.data, args.out, args.proba, args.quiet)
    if args.command == "summary":
        from chainrule.cli.model_commands import run_summary

        return run_summary(args.model)
    if args.command == "demo":
        from chainrule.cli.demos import DemoOptions, run_demo

        return run_demo(args.name, DemoOptions(seed=args.seed, plot=args.plot, quiet=args.quiet))
    if args.command == "playground":
        from chainrule.cli.playground_command import run_playground

        return run_playground(args)
    return _datasets()


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    from chainrule.cli import mpi_job

    if mpi_job.join():  # one process of `mpiexec -n N chainrule ...`
        return mpi_job.end(_main(argv))
    return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    try:
        from chainrule._startup import hand_back_interrupts

        hand_back_interrupts()
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
        return _dispatch(args)
    except CommandError as error:
        sys.stdout.flush()
        print("\n".join(error.lines()), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("\nchainrule: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # `chainrule predict ... | head`: the reader left; not an error of ours
        return 0
    except MemoryError as error:  # --hidden 1000000 1000000: say so in a line, not a traceback
        print(f"chainrule: error: out of memory ({error or 'MemoryError'})", file=sys.stderr)
        print("chainrule: error: use smaller --hidden layers or --batch-size, or fewer rows", file=sys.stderr)
        return 1
    except OSError as error:  # disk full, no permission: say which file, without a traceback
        where = f" ({error.filename})" if error.filename else ""
        print(f"chainrule: error: {error.strerror or error}{where}", file=sys.stderr)
        print("chainrule: error: check the disk space and the permissions of that path", file=sys.stderr)
        return 1
