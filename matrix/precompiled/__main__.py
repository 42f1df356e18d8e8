"""``python -m matrix.precompiled``: write the kept dataclass texts again (see the package)."""

from . import write

for path in write():
    print(path)
