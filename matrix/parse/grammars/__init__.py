"""The grammars' LALR tables (generated: ``matrix.parse.tables``)."""
