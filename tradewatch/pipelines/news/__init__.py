"""News reports: discovery (GDELT, feeds), article pages, and the figures they state."""
