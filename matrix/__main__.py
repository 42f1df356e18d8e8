"""``python -m matrix`` runs the dutymatrix CLI."""

from .cli import main

if __name__ == "__main__":
    main()
