"""The ``tadamun`` command.

``tadamun rules …``, ``tadamun declarations …`` and ``tadamun certificates verify`` run pure
libraries and never import Django, so a payroll vendor (or a bank checking a certificate) can use
them alone. Any other sub-command is handed to Django's management commands (``tadamun migrate``,
``tadamun runserver``…) once the platform is installed.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "rules":
        from tadamun.rules.cli import main as rules_main

        return rules_main(args[1:])
    if args and args[0] == "declarations":
        from tadamun.formats.cli import main as declarations_main

        return declarations_main(args[1:])
    if args[:2] == ["certificates", "verify"]:
        from tadamun.certificates.cli import main as certificates_main

        return certificates_main(args[1:])
    try:
        from django.core.management import execute_from_command_line
    except ImportError:
        print(
            "usage: tadamun rules {show,compute,pension,check} …\n"
            "       tadamun declarations check FILE …\n"
            "(the platform's commands need Django, which is not installed)",
            file=sys.stderr,
        )
        return 2
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tadamun.settings")
    execute_from_command_line(["tadamun", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
