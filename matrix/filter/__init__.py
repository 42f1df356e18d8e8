"""Selecting tasks from plans by department, role, section and text, and splitting them per
department (``select``); the output formats of the selection: rows, JSON, CSV and a terminal
table (``formats``).
"""
