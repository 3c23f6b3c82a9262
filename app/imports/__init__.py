"""Imports from the council's finance and social-care systems: the declared CSV formats and the
pure rules (parsing, payment allocation). app/services/imports/ applies them to the database.
"""
