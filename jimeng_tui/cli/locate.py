"""``jimeng-tui locate``: where config, history, cache, logs and videos live."""

from __future__ import annotations

import argparse
import os

from jimeng_tui.cli.errors import EXIT_OK
from jimeng_tui.cli.output import print_json


def cmd_locate(ns: argparse.Namespace) -> int:
    from jimeng_tui.store.paths import app_paths

    paths = app_paths(os.environ)
    locations = paths.as_dict()
    locations["sandbox_history_db"] = str(paths.sandbox_history_db)
    if ns.json:
        print_json(locations)
        return EXIT_OK
    width = max(len(k) for k in locations)
    for key, value in locations.items():
        print(f"{key:<{width}}  {value}")
    return EXIT_OK
