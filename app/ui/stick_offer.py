"""The window started from a workshop stick (app/stick.py) offers to install the app on the
computer and to import the stick's packs, as one task with progress in the top bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QWidget

from app import stick as stick_module
from app.i18n import _, ngettext
from app.paths import portable_root
from app.stick import Stick, import_stick, install_from_stick, missing_packs, running_stick
from app.tasks import Reporter
from app.ui import dialogs
from app.ui.context import AppContext, Task


def offer_stick(ctx: AppContext, parent: QWidget | None,
                stick: Stick | None = None) -> Task | None:
    """Ask, then install and import; None when there is nothing to offer (not started from a
    stick, started in portable mode, or nothing new on it) or the learner declined."""
    stick = stick if stick is not None else running_stick()
    if stick is None or portable_root() is not None:
        return None
    from app.library import Library

    with Library(ctx.home) as library:
        count = len(missing_packs(library, stick))
    install = stick.bundle and not stick_module.installed_app_folder().is_dir()
    if not count and not install:
        return None
    text = ngettext(
        "Ujuzi is running from a workshop stick that holds {count} new pack. Install Ujuzi on "
        "this computer and import it? The stick can be removed afterwards.",
        "Ujuzi is running from a workshop stick that holds {count} new packs. Install Ujuzi "
        "on this computer and import them? The stick can be removed afterwards.",
        count).format(count=count)
    answer = dialogs.ask(parent, _("A workshop stick"), text,
                         dialogs.Button.Yes | dialogs.Button.No, dialogs.Button.Yes)
    if answer != dialogs.Button.Yes:
        return None

    def work(library: Any, reporter: Reporter) -> Any:
        if install:
            install_from_stick(stick, reporter=reporter)
        return import_stick(library, stick, reporter)

    def done(_results: Any) -> None:
        ctx.library_changed.emit()

    return ctx.start_task(_("Installing from the workshop stick"), work, done)
