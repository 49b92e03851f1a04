"""Errors the user can fix, reported as one line naming the file and the field path."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: `source` is the file (or flag) it came from, `path` the field path in it,
    `message` what was expected. The CLI prints `str(error)` and exits with code 2."""

    def __init__(self, source: str, path: str, message: str) -> None:
        super().__init__(source, path, message)
        self.source, self.path, self.message = source, path, message

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.path) if p]
        return ": ".join(parts + [self.message])

    def within(self, prefix: str) -> InputError:
        """The same error with `prefix` prepended to the field path."""
        path = f"{prefix}.{self.path}" if self.path and not self.path.startswith("[") else f"{prefix}{self.path}"
        return InputError(self.source, path, self.message)
