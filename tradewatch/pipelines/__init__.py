"""Sources: one package each, sharing only the HTTP layer."""
