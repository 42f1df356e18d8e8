"""The ``dutymatrix`` command line (click): the commands (``commands``), click in the user's
language (``clicktext``) and the readable terminal views of records (``terminal``). A thin layer
over the library: nothing below imports it.
"""
