"""``python -m matrix`` runs the dutymatrix CLI."""

from .cli.commands import main

if __name__ == "__main__":
    main()
