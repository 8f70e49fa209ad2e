"""Errors a user can act on, kept apart from bugs.

Everything raised as :class:`UjuziError` carries a one-line message written for the user;
the CLI prints it to stderr and exits non-zero, the UI shows it in a dialog. Anything else
is a bug and gets a traceback in the log.
"""

from __future__ import annotations


class UjuziError(Exception):
    """An error whose message is meant for the user."""

    exit_code = 1


class NotFoundError(UjuziError):
    """A pack, resource, note or profile that does not exist."""

    exit_code = 2


class PackError(UjuziError):
    """A pack file that cannot be imported: corrupt, truncated, hostile or invalid."""

    exit_code = 3


class ManifestError(PackError):
    """A pack manifest that fails the schema or the pack's own consistency rules."""


class ChecksumError(PackError):
    """A file whose bytes do not match the checksum or size listed in the manifest."""


class UnsafeArchiveError(PackError):
    """An archive that tries path traversal, links, or decompresses past the size limits."""


class VersionError(PackError):
    """An import of a pack older than the one installed."""


class DiskSpaceError(UjuziError):
    """Not enough free space to finish; checked before anything is copied."""

    exit_code = 4


class BuildError(UjuziError):
    """A folder that cannot be turned into a pack."""

    exit_code = 3


class Cancelled(UjuziError):
    """The user cancelled a long operation; nothing was changed."""

    exit_code = 130


class SignatureError(PackError):
    """A manifest or key that is not signed by the hub key pinned at login."""


class HubError(UjuziError):
    """The hub refused a request or answered what the client cannot use (said in words)."""

    exit_code = 5


class AuthError(HubError):
    """Not signed in, a wrong password, or a token the hub no longer accepts."""

    exit_code = 6


class NetworkError(HubError):
    """The hub cannot be reached (no network, refused, timed out); work resumes later."""

    exit_code = 7
