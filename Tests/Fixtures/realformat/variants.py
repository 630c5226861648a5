"""Command-line pieces shared by the observation sample writers (lite.py,
obspack.py): the damage options and one run per --each variant."""
import argparse
import os


def parser(description, add_options):
    """An argument parser with OUTDIR, the writer's own options (added by
    add_options), --damage, --each and --name."""
    result = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    result.add_argument("outdir")
    add_options(result)
    result.add_argument("--damage", action="append", default=[])
    result.add_argument("--each", action="append", default=[],
                        help="write one file per NAME into OUTDIR/NAME with that damage added ('plain': none)")
    result.add_argument("--name", help="file name (default: the product's own naming)")
    return result


def runs(args):
    """The runs asked for: one, or one per --each name (one Python start for
    many files keeps the tests fast)."""
    if not args.each:
        return [args]
    result = []
    for name in args.each:
        run = argparse.Namespace(**vars(args))
        run.outdir = os.path.join(args.outdir, name)
        run.damage = args.damage + ([] if name == "plain" else [name])
        result.append(run)
    return result


def main(description, add_options, write):
    """Parses the command line and writes every run, printing each path."""
    args = parser(description, add_options).parse_args()
    for run in runs(args):
        print(write(run))
