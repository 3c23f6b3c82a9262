"""The one exception family of the letters package."""


class LetterError(Exception):
    """A letter cannot be built or rendered (missing field, bad template, bad value)."""
