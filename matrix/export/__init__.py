"""Files written for the user besides the workbooks: the tidy table, a row per (document, task,
department, role), and its writers (``tidy``); every file the command line and the page write for a
plan or a comparison, one function each (``downloads``).
"""
