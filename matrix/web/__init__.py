"""The web page (``dutymatrix serve``): the command line's work, for people who never open a
terminal.

An ASGI application in the shape of datasette's: ``app.create_app`` wires the routes (one module
per page kind in ``views/``), Jinja2 templates with autoescaping in ``templates/`` and the style
sheet and small scripts in ``static/`` (no build step). Views are thin: they read the request,
call the library (``matrix.load.sources``, ``pivot``, ``filter``, ``diff``, ``round.dispatch``,
``round.collect``, ``export.downloads``, the workbook writers) and render what it returns; no
parsing or matrix logic lives here.

Safe by default (``app.py`` says how): bound to 127.0.0.1, Host header checked, a strict
Content-Security-Policy (no inline script or style anywhere), POSTs only from the page itself,
uploads parsed in memory and the records kept in a small in-memory store, every text escaped.

Starlette, uvicorn, Jinja2 and python-multipart are base dependencies (``pip install -e .``
gives a working ``dutymatrix serve``), imported only when the page is served: no other command
loads them (tests/test_web_words.py).
"""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    """``create_app`` on first use, so that importing the package costs nothing."""
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'matrix.web' has no attribute {name!r}")
