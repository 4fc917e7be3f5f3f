"""EAILI5 — Explain AI Like I'm 5: an AI tutor that teaches crypto to newcomers on Base."""

__version__ = "0.1.0"
