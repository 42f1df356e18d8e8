"""``python -m matrix`` runs the dutymatrix CLI."""

from .cli.launch import main

if __name__ == "__main__":
    main()
