"""The ``madoguchi`` command: Django's management commands plus the project's own."""

import os
import sys

from madoguchi.conf.environment import DEV_SETTINGS, dev_settings_refusal, refusal_message


def main() -> None:
    # Development is the default so a checkout works as it is; it refuses to run against
    # production (madoguchi/conf/environment.py) with a message instead of a traceback.
    if os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEV_SETTINGS) == DEV_SETTINGS:
        reason = dev_settings_refusal(os.environ)
        if reason:
            print(refusal_message(reason), file=sys.stderr)
            sys.exit(2)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
