"""Message-format and SDK adapters; nothing here is imported by ``import guardkit``."""
