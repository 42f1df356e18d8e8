"""A file → a plan: the whole input side as library calls. ``pipeline`` runs read → reflow →
normalise → parse → records; ``sources`` says which files a command reads and loads each, a plan
document through the pipeline or a workbook written by ``build`` by reading it back.
"""
