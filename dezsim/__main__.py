"""``python -m dezsim`` runs the command line."""

from dezsim.cli import main

main()
