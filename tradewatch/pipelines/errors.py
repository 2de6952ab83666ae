"""Errors every source raises the same way."""


class LayoutChanged(ValueError):
    """A response or page is not in a shape the parser knows; nothing is guessed."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"{url}: {reason}")


class SourceHTTPError(RuntimeError):
    """A source answered with an error status after the client's retries."""

    def __init__(self, url: str, status: int, detail: str = "") -> None:
        self.url, self.status = url, status
        super().__init__(f"{url}: HTTP {status}" + (f": {detail}" if detail else ""))

    @property
    def transient(self) -> bool:
        """Throttling and server errors can heal by waiting; other statuses cannot."""
        return self.status == 429 or self.status >= 500
