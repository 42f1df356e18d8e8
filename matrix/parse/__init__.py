"""Text → records: the grammar lookup and cached parser factories (``parser``), parse trees →
records (``transform``), inside a trailer (``trailer``), whose plan a document is and what its
printed names mean there (``jurisdiction``), and the page and line of a paged source (``pages``).
"""
