"""Content text keeps its own direction inside the interface's: :func:`formatting.isolate`."""

from __future__ import annotations

from app.formatting import FSI, LRI, PDI, RLI, isolate, text_direction, unisolated


def test_isolate_wraps_text_in_its_own_direction() -> None:
    assert isolate("What are the Wikimedia projects?") == \
        f"{LRI}What are the Wikimedia projects?{PDI}"
    assert isolate("ما هي مشاريع ويكيميديا؟") == f"{RLI}ما هي مشاريع ويكيميديا؟{PDI}"
    assert isolate("2024.") == f"{FSI}2024.{PDI}"
    assert isolate("") == ""
    once = isolate("CC-BY-SA-4.0")
    assert isolate(once) == once and unisolated(once) == "CC-BY-SA-4.0"
    assert text_direction("«¿Qué?»") == "ltr" and text_direction("123 …") is None
