"""The hub's structured log: one JSON object a line, to ``HubLayout.log_file`` and stderr.

Each request gives one ``request`` record (time, level, event, method, path, status,
duration in milliseconds, user, request id); other events (started, published...) carry
their own fields. Tokens, passwords and query strings are never written.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

from app.paths import PRIVATE_FILE

logger = logging.getLogger("ujuzi.hub")
logger.propagate = False


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        # Each handler (the file, stderr) asks: the line is made once per record.
        made = record.__dict__.get("json_line")
        if not isinstance(made, str):
            made = record.__dict__["json_line"] = self._line(record)
        return made

    def _line(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "event": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class _AppendFile(logging.FileHandler):
    """Appends (several workers share the file), created 0600."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE)
        return open(fd, "a", encoding="utf-8", closefd=True)


def setup(path: Path, stderr: bool = True) -> None:
    """Send the hub's records to ``path`` (and stderr), replacing earlier handlers."""
    for handler in list(logger.handlers):
        logger.removeHandler(handler)
        handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    formatter = JsonLines()
    handlers: list[logging.Handler] = [_AppendFile(path, encoding="utf-8")]
    if stderr:
        handlers.append(logging.StreamHandler(sys.stderr))
    for handler in handlers:
        handler.setFormatter(formatter)
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def event(name: str, level: int = logging.INFO, /, *, exc_info: bool = False,
          **fields: Any) -> None:
    logger.log(level, name, extra={"fields": fields}, exc_info=exc_info)
