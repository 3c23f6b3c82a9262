"""Staff: users, teams, passwords and API tokens."""
