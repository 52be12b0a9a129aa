"""The `egov` console command: every manage.py command plus the platform's own.

`egov demo` loads the demo county, `egov audit verify` checks the audit chain,
`egov run` serves the platform for development.
"""

import os
import sys


def main(argv=None):
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)
    return 0
