"""The debt-recovery ladder's services: guards, letters and escalations (being built)."""
from __future__ import annotations


def send_ladder_letter(instance, template, data):
    raise NotImplementedError("recovery letters are being built")


def escalate(instance, step):
    raise NotImplementedError("recovery escalations are being built")
