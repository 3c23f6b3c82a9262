"""Every process's contract, by process key: what its diagram must keep for the code to work.

The app factory installs them in app/services/processes.py, whose diagram check reads them."""
from __future__ import annotations

from app.engine.contract import ProcessContract

from . import direct_payment_contract, legal_contract, recovery_contract

CONTRACTS: dict[str, ProcessContract] = {
    contract.key: contract for contract in (
        direct_payment_contract.CONTRACT, recovery_contract.LADDER, recovery_contract.DECISION,
        legal_contract.LEGAL, legal_contract.ESTATE)
}

