"""papercli: Hugging Face Daily Papers and arXiv listings in the terminal."""

__version__ = "0.1.0"
