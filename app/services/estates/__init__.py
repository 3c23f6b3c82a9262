"""Estates: a death recorded, the estate stage (final account, grant or standing search)."""
