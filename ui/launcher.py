"""The `bidclient` executable: the desktop app with no arguments, the command line otherwise.

It lives in ui/ because only ui/ may import Qt; Qt is imported only when the app is opened, so
command-line use stays fast and works on machines without Qt.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def has_display() -> bool:
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal", "vnc")):
        return True
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args:
        from bidclient.cli.main import main as cli_main

        return cli_main(args)
    from bidclient.i18n import _

    if not has_display():
        print(_("No display found: the desktop app cannot open here. Use the command line "
                "(bidclient --help), or run scripts/demo for the headless demonstration."), file=sys.stderr)
        return 2
    from ui.app import main as app_main

    return int(app_main([sys.argv[0]]))


if __name__ == "__main__":
    sys.exit(main())
