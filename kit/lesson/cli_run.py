"""``kit lesson run``."""

from __future__ import annotations

import argparse


def run_command(args: argparse.Namespace) -> int:
    print("kit lesson run: not available yet")
    return 1
