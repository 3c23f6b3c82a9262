"""Invoice queries (DOMAIN.md A.4): the query record and its holds (records.py), credit notes
(credit_notes.py), and the invoice_query process's steps."""
