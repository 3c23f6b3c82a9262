"""Imports from the finance and social-care systems: people, representatives, care packages,
invoices and payments, each file in one transaction."""
