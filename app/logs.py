"""Keep personal data out of logs.

Search terms travel in query strings (`/api/v1/people?name=...`), so request logs drop them.
"""
from __future__ import annotations

import logging
import re

_QUERY = re.compile(r"\?[^\s\"]*")


class StripQueryStrings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_QUERY.sub("?…", a) if isinstance(a, str) else a
                                for a in record.args)
        if isinstance(record.msg, str):
            record.msg = _QUERY.sub("?…", record.msg)
        return True


def install() -> None:
    logging.getLogger("werkzeug").addFilter(StripQueryStrings())
    logging.getLogger("gunicorn.access").addFilter(StripQueryStrings())
    # SpiffWorkflow logs every task state change, and below INFO it attaches the task's data
    # (names, money) to each record; APScheduler logs every 2-second sweep. Warnings only.
    logging.getLogger("spiff").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
