"""``jimeng-tui spend``: what the jobs cost, per day, month or model, with a bar per line; and
``--prices``: every price in force with its source and date.

Cheap to import (the parser reads ``PARSER``); the store is imported when it runs.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import TYPE_CHECKING, Any

from jimeng_tui.cli.commands import ParserSpec
from jimeng_tui.cli.flags import JSON_FLAG, Flag, flag_adder

if TYPE_CHECKING:
    pass

HELP = "what your generations cost, per day, month or model (and the prices in force)"
DESCRIPTION = (
    "What your generations cost, from the history: billed for finished jobs (Seedance: the "
    "tokens the service reported × the price kept with the job; Jimeng 3.0: the price of the "
    "length rendered), the estimate for running ones (pending) and for those the service may "
    "have billed without saying (maybe). Failed jobs cost nothing."
)
EPILOG = """examples:
  jimeng-tui spend                       per day, with a bar chart
  jimeng-tui spend --by model --since 2026-12-01
  jimeng-tui spend --by month --json
  jimeng-tui spend --prices              every price in force, its source and date
"""


def _date(text: str) -> float:
    try:
        parsed = time.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-12-01") from None
    return time.mktime((*parsed[:3], 0, 0, 0, 0, 0, -1))


SPEND_FLAGS = (
    Flag("--since", type=_date, metavar="DATE", default=None, help="from DATE (YYYY-MM-DD) on"),
    Flag("--by", choices=("day", "month", "model"), default="day", help="one line per (day)"),
    Flag("--prices", action="store_true", help="list the prices in force instead"),
    JSON_FLAG,
)
PARSER = ParserSpec(HELP, DESCRIPTION, EPILOG, flag_adder((None, SPEND_FLAGS)))


def unknown_price_keys() -> list[str]:
    """The ``[prices]`` keys that name no model (a typo would otherwise be silently unused)."""
    from jimeng_tui.pricing import PriceBook
    from jimeng_tui.services import registry
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    book = PriceBook.from_config(load_config(app_paths()).config)
    return book.unknown_keys(registry.all_capabilities())


def warn_unknown_price_keys(keys: list[str] | None = None) -> None:
    from jimeng_tui.cli.text import printable

    for key in unknown_price_keys() if keys is None else keys:
        warning = f"warning: [prices] {key!r} in config.toml names no model of any service"
        print(printable(warning), file=sys.stderr)


def _price_rows() -> list[dict[str, Any]]:
    from jimeng_tui.pricing import PriceBook
    from jimeng_tui.services import registry
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.paths import app_paths

    book = PriceBook.from_config(load_config(app_paths()).config)
    rows = []
    for caps in registry.all_capabilities():
        keys = list(caps.prices.prices) if caps.prices else []
        for written in book.overrides:
            name, _, variant = written.partition(":")
            for model in caps.models:
                if name in (model.id, *model.aliases):
                    keys.append(f"{model.id}:{variant}" if variant else model.id)
        for key in dict.fromkeys(keys):
            model_id, _, variant = key.partition(":")
            model = caps.model(model_id)
            price = book.price(caps, model, tuple(variant.split("+")) if variant else ())
            rows.append(
                {
                    "service": caps.service,
                    "key": key,
                    "amount": price.amount,
                    "unit": price.unit,
                    "currency": price.currency,
                    "source": price.source,
                    "date": price.date,
                    "third_party": price.third_party,
                    "note": price.note,
                }
            )
    return rows


def cmd_spend(ns: argparse.Namespace) -> int:
    from jimeng_tui.cli.errors import EXIT_OK
    from jimeng_tui.cli.output import print_json
    from jimeng_tui.cli.text import printable
    from jimeng_tui.session.config import load_config
    from jimeng_tui.store.history import History
    from jimeng_tui.store.paths import app_paths
    from jimeng_tui.store.spend import period_spend, spend_report

    if ns.prices:
        rows, typos = _price_rows(), unknown_price_keys()
        if ns.json:
            print_json({"prices": rows, "unknown_keys": typos})
            return EXIT_OK
        warn_unknown_price_keys(typos)
        for row in rows:
            unit = "/1M tokens" if row["unit"] == "per_million_tokens" else "/video"
            amount = "unknown"
            if row["amount"] is not None:
                amount = f"{row['amount']:.2f} {row['currency']}{unit}"
            tag = " (third-party)" if row["third_party"] else ""
            text = f"{row['key']}: {amount}; {row['source']}{tag}"
            if row["date"]:
                text += f", {row['date']}"
            print(printable(text + (f"; {row['note']}" if row["note"] else "")))
        return EXIT_OK
    paths = app_paths()
    config = load_config(paths).config
    db = paths.sandbox_history_db if ns.sandbox else paths.history_db
    if db.exists():  # an older history gets its migrations (the cost is kept in its meta)
        History(db).close()
    currency = config.prices.currency
    report = spend_report(db, currency=currency, since=ns.since, by=ns.by)
    spent = period_spend(db, currency=currency)
    budget = config.budget
    if ns.json:
        print_json(
            {
                "currency": currency,
                "by": ns.by,
                "since": ns.since,
                "lines": [line.to_json() for line in report.lines],
                "total": report.total.to_json(),
                "other_currencies": report.other_currencies,
                "budget": {
                    "daily": budget.daily or None,
                    "monthly": budget.monthly or None,
                    "today": round(spent.today.committed, 6),
                    "month": round(spent.month.committed, 6),
                },
            }
        )
        return EXIT_OK
    from jimeng_tui.store.spend_chart import render

    for text in render(report):
        print(printable(text))
    caps = []
    if budget.daily:
        caps.append(f"today {spent.today.committed:.2f} of {budget.daily:.2f} {currency}")
    if budget.monthly:
        caps.append(f"this month {spent.month.committed:.2f} of {budget.monthly:.2f} {currency}")
    if caps:
        print("budget: " + "; ".join(caps))
    print(
        "estimated for running jobs; billed from the price kept with each job "
        "(`jimeng-tui spend --prices` for the sources)",
        file=sys.stderr,
    )
    return EXIT_OK
