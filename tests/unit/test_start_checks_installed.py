"""Every process the code relies on refuses a start its first steps cannot carry out: each key in
CONTRACTS has a start check (create_app installs START_CHECKS through wiring.install)."""
from __future__ import annotations

from app.services.wiring import CONTRACTS, START_CHECKS


def test_every_process_with_a_contract_has_a_start_check():
    assert sorted(START_CHECKS) == sorted(CONTRACTS)
    assert all(callable(check) for check in START_CHECKS.values())
