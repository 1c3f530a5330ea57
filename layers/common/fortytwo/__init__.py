"""The 42min API: shared layer."""

# The deployed API package version (pyproject `version`; a test keeps them equal).
__version__ = "0.1.0"
