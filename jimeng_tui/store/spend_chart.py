"""The spend ledger as text: a line per day, month or model with its bar (eighths of a cell),
the total and what is not counted. Shown by ``jimeng-tui spend`` and the TUI's Spend screen."""

from __future__ import annotations

from jimeng_tui.store.spend import SpendLine, SpendReport

BAR_WIDTH = 32
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar in eighths of a cell, ``value`` of ``largest`` filling ``width``."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + _EIGHTHS[eighths % 8].strip()


def _extras(line: SpendLine, currency: str) -> str:
    parts = []
    if line.pending:
        parts.append(f"+{line.pending:.2f} pending")
    if line.maybe:
        parts.append(f"+{line.maybe:.2f} maybe")
    if line.unknown:
        parts.append(f"{line.unknown} of unknown cost")
    return f"  ({', '.join(parts)})" if parts else ""


def render(report: SpendReport) -> list[str]:
    cur = report.currency
    if not report.lines:
        return ["no jobs in this period: nothing spent"]
    largest = max(line.committed for line in report.lines)
    width = max(len(line.key) for line in report.lines)
    out = [f"{'':{width}}  {cur:>10}"]
    for line in report.lines:
        out.append(
            f"{line.key:{width}}  {line.billed:>10.2f}  "
            f"{bar(line.committed, largest)}{_extras(line, cur)}"
        )
    total = report.total
    out.append(f"{'total':{width}}  {total.billed:>10.2f}  billed{_extras(total, cur)}")
    if total.unknown:
        out.append(
            f"{total.unknown} job(s) have no known price: set [prices] in config.toml "
            "(`jimeng-tui spend --prices` lists them)"
        )
    for currency, count in sorted(report.other_currencies.items()):
        out.append(f"{count} job(s) priced in {currency} are not added here")
    return out
