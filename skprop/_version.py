"""The installed skprop version."""

__version__ = "0.1.0"
