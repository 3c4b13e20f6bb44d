"""Files the user owns: the cache, the search index, the state, and the file primitives."""
