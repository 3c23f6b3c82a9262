"""Debt recovery: the debt case, the ladder and its guards, holds, instalment plans, Breathing
Space, write-offs, the decision after a stage ends, the daily jobs, and the views and reports."""
