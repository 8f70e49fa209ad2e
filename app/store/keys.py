"""How records name each other: the global id of a resource.

A leaf module (it imports nothing of the app), so that every layer that needs to name a
resource (the library, the importer, the search index) can do so without importing another.
"""

from __future__ import annotations


def resource_key(pack_id: str, local_id: str) -> str:
    """The global id of a resource: ``<pack id>/<resource id in the pack>``, stable across
    pack versions so that progress and notes survive updates."""
    return f"{pack_id}/{local_id}"
