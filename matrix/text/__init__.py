"""Text → text: normalising (with a map back to the user's lines), undoing a PDF's hard line
breaks (``reflow``), putting duty tables read cell by cell back into rows (``celltable``) and
making text from untrusted files safe to compare and to show (``safe``). Nothing here reads
bytes or knows the grammar.
"""
