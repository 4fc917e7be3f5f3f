"""Model and web-search providers for the tutor."""
