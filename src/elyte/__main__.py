"""``python -m elyte`` runs the command line."""

from elyte.cli import main

main()
