"""The bundle's entry point (packaging/ujuzi.spec): the ``ujuzi`` command, as the wheel's
console script runs it."""

import sys

if __name__ == "__main__":
    if sys.argv[1:2] == ["--player-host"]:
        # the media player's own process (app/player/vlc_remote.py)
        from app.player.vlc_host import main as host

        sys.exit(host(sys.argv[2:]))
    from app.cli import main

    sys.exit(main())
