"""The case record: people and their representatives, notes and documents, what the case page
reads, and person search."""
