"""``python -m guardkit``: the command line."""

from guardkit.cli import run

run()
