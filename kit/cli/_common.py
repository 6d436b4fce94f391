"""Options and helpers shared by several subcommands."""

from __future__ import annotations

import argparse
import os


def add_store(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", default=os.environ.get("KIT_STORE", ""),
                        help="participation store URL: sqlite:///path.db or postgresql://... "
                             "(default: kit.db in the data directory, or $KIT_STORE)")


def add_broker(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--broker", default=os.environ.get("KIT_BROKER", "mqtt://127.0.0.1:1883"),
                        help="the hub's broker, mqtt://host:port (mqtt5:// for MQTT 5)")


def add_room(parser: argparse.ArgumentParser, default: str = "room-1") -> None:
    parser.add_argument("--room", default=os.environ.get("KIT_ROOM", default),
                        help="room id, e.g. room-7b")


def add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("-v", "--verbose", action="count", default=0, help="say more")


def setup_logging(verbose: int) -> None:
    import logging  # here, so that commands which never log (kit lesson check) start faster

    level = logging.WARNING if verbose == 0 else logging.INFO if verbose == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if verbose < 2:
        for noisy in ("amqtt", "transitions", "mqtt"):
            logging.getLogger(noisy).setLevel(logging.ERROR)


def store_url(arg: str) -> str:
    from kit import config

    return arg or config.default_store_url()


def add_classroom(parser: argparse.ArgumentParser) -> None:
    """--room, --broker and --classroom, each defaulting to the classroom set-up's."""
    from pathlib import Path

    parser.add_argument("--room", default=os.environ.get("KIT_ROOM"),
                        help="room id, e.g. room-7b (default: the classroom set-up's)")
    parser.add_argument("--broker", default=os.environ.get("KIT_BROKER"),
                        help="the hub's broker, mqtt://host:port (default: the classroom "
                             "set-up's)")
    parser.add_argument("--classroom", type=Path, default=None,
                        help="classroom set-up file (default: classroom.yaml in the data "
                             "directory)")
