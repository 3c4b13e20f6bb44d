"""The use cases: listings, papers, search, sync, watch rules, trends, ratings.

No Typer, no Rich, never printing: notes go through the context's ``warn``.
"""
