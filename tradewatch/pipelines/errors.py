"""Errors every source raises the same way."""


class LayoutChanged(ValueError):
    """A response or page is not in a shape the parser knows; nothing is guessed."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")
