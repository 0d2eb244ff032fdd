#!/usr/bin/env python
"""Django's command-line entry point for Shanghui."""
import os
import sys


def main():
    """Run a manage.py command with Shanghui's settings."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shanghui.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
