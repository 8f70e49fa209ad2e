"""The log: a rotating file in the data directory's ``logs/`` folder.

Errors a user can act on are shown to the user (:mod:`app.errors`); everything else is a bug,
and its traceback goes here so that a user can send the file with a report. The file is
created only when something is logged, so commands that log nothing leave no trace, and it
never grows past a few megabytes.
"""

from __future__ import annotations

import io
import logging
import logging.handlers
import os
from pathlib import Path

MAX_BYTES = 1024 * 1024
BACKUPS = 3
_FORMAT = "%(asctime)s %(process)d %(threadName)s %(levelname)s %(name)s: %(message)s"

logger = logging.getLogger("app")


class _LogFile(logging.handlers.RotatingFileHandler):
    """A rotating file whose folder is made (private to the user) on the first record."""

    def _open(self) -> io.TextIOWrapper:
        folder = Path(self.baseFilename).parent
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return io.TextIOWrapper(io.FileIO(fd, "a"), encoding=self.encoding,
                                errors=self.errors)


def setup(path: Path, level: int = logging.INFO) -> Path:
    """Send the core's log records to ``path`` (``Layout.log_file``); return it.

    Calling it again (a second window, a test) replaces the file handler rather than adding
    one, so no record is written twice."""
    for handler in list(logger.handlers):
        if isinstance(handler, _LogFile):
            logger.removeHandler(handler)
            handler.close()
    handler = _LogFile(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8",
                       delay=True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level)
    return path


def log_path() -> Path | None:
    """The file the log goes to, once :func:`setup` has run."""
    for handler in logger.handlers:
        if isinstance(handler, _LogFile):
            return Path(handler.baseFilename)
    return None
