"""``python -m tradekg`` runs the command line (cli.py itself is never __main__, so the commands
defined in other modules can import its helpers without a second copy of it)."""

from .cli import cli

cli()
