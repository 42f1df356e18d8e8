"""Text → records: the grammar lookup and cached parser factories (``parser``), parse trees →
records (``transform``), inside a trailer (``trailer``), whose plan a document is and what its
printed names mean there (``jurisdiction``), the page and line of a paged source (``pages``), and the deadlines a task's text states or its
完成时限 cell prints (``deadline``, over ``grammar/deadline.lark``).
"""
