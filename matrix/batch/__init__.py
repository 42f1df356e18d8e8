"""Building many workbooks at once: one pure job per file, run on every core (``jobs``), and what
the pool's fork server imports once so that every worker starts warm (``warm``).
"""
