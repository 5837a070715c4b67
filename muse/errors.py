"""Errors that reach users as one clear line, never a traceback."""


class MuseError(Exception):
    """Something the user can fix: bad input, a missing file, an unknown name (exit code 2, HTTP 4xx)."""
