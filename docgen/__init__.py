"""docgen: as-built documentation for Microsoft mail and identity environments."""

__version__ = "0.1.0"
