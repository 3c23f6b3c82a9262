"""Direct payments: the agreement process's contract, its letters and its task checks."""
