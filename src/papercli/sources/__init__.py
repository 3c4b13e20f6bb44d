"""One module per remote service. Each knows only its API and returns model objects."""
