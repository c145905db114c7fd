"""What a generation costs, as plain data: prices, estimates and what a job was billed.

Stdlib only, so the form, the CLI, the engine and the store read the same figures. Each service
package keeps its own dated :class:`PriceTable` (``services/<name>/prices.py``) and hands it over
in its ``Capabilities``; ``jimeng_tui.pricing`` merges it with the user's ``[prices]``.

A price nobody could source is ``None``: "unknown", shown as such, never guessed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from jimeng_tui.domain.meta import JobMeta

PER_MILLION_TOKENS = "per_million_tokens"  # Ark: billed by the task's completion tokens
PER_VIDEO = "per_video"  # Jimeng 3.0: one price per rendered video


@dataclass(frozen=True)
class Price:
    """One figure of a price table (or the user's override of it)."""

    amount: float | None  # None: unknown (no source could be read)
    unit: str  # PER_MILLION_TOKENS | PER_VIDEO
    currency: str  # "CNY"
    source: str  # where the figure comes from (a URL, or "your config.toml [prices]")
    date: str = ""  # when the source was read or dated, YYYY-MM-DD
    third_party: bool = False  # a reseller's or a blog's figure, not the provider's page
    note: str = ""  # anything the user should know (derived how, what else was seen)

    @property
    def known(self) -> bool:
        return self.amount is not None

    def per_unit_text(self) -> str:
        if self.amount is None:
            return "unknown"
        if self.unit == PER_MILLION_TOKENS:
            return f"{self.amount:.2f} {self.currency}/1M tokens"
        return f"{self.amount:.2f} {self.currency}/video"

    def to_json(self) -> dict[str, Any]:
        """Every field but the note (a remark for the screen, not part of the record)."""
        data = dataclasses.asdict(self)
        del data["note"]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Price | None:
        amount = data.get("amount")
        unit = data.get("unit")
        if unit not in (PER_MILLION_TOKENS, PER_VIDEO):
            return None
        if amount is not None and (isinstance(amount, bool) or not isinstance(amount, int | float)):
            return None
        return cls(
            amount=None if amount is None else float(amount),
            unit=str(unit),
            currency=str(data.get("currency", "")),
            source=str(data.get("source", "")),
            date=str(data.get("date", "")),
            third_party=bool(data.get("third_party", False)),
        )


@dataclass(frozen=True)
class Metered:
    """What a request will be billed by: the quantity (tokens, or 1 video), the price variant
    it takes (``("1080p", "audio")``, ``("10s",)``) and why, in words."""

    quantity: int | None  # None: cannot be told before the service renders it
    variant: tuple[str, ...]
    why: str


# A service's meter: the model (a ``ModelCaps``; Any here, as capabilities imports this module)
# and the request's stored params (``RequestSummary.params`` plus "duration" in seconds) → what
# it will be billed by.
Meter = Callable[[Any, Mapping[str, Any]], Metered]


@dataclass(frozen=True)
class PriceTable:
    """A service's prices by key: ``"<model id>"`` or ``"<model id>:<variant>"``.

    Variants (Ark): ``audio``, ``silent``, ``video_input``, ``1080p``, ``flex``…; (Jimeng 3.0):
    the native length rendered, ``5s`` or ``10s``. The most specific key that exists wins.
    """

    service: str
    date: str  # the table's date
    currency: str
    unit: str
    prices: Mapping[str, Price] = field(default_factory=dict)
    meter: Meter | None = None


@dataclass(frozen=True)
class Estimate:
    """What a request should cost, and why (shown before anything is paid)."""

    amount: float | None  # None: unknown
    currency: str
    why: str  # "renders 10 s, billed as 10 s; unknown price (no source)"
    tokens: int | None = None  # Ark: the estimated completion tokens
    price: Price | None = None

    @property
    def known(self) -> bool:
        return self.amount is not None


def describe(estimate: Estimate) -> str:
    """One line for the form, the confirmation and ``--dry-run``: "≈ 5.01 CNY (…)" or
    "cost unknown (…)"."""
    if estimate.amount is None:
        return f"cost unknown ({estimate.why})"
    return f"≈ {money(estimate.amount, estimate.currency)} ({estimate.why})"


MAX_REASONS = 3  # distinct reasons a total names before "and N more"


def describe_total(estimates: list[Estimate]) -> str:
    """One line for several requests: the sum of the known estimates, and how many are unknown;
    a single request is described whole."""
    if len(estimates) == 1:
        return describe(estimates[0])
    known = [e.amount for e in estimates if e.amount is not None]
    currency = estimates[0].currency if estimates else ""
    unknown = len(estimates) - len(known)
    if not known:
        if not estimates:
            return ""
        # each distinct reason once: every model that lacks a price is named, not the first only
        whys = list(dict.fromkeys(e.why for e in estimates))
        more = f" · and {len(whys) - MAX_REASONS} more" if len(whys) > MAX_REASONS else ""
        return f"cost unknown for all {len(estimates)} ({' · '.join(whys[:MAX_REASONS])}{more})"
    text = f"≈ {money(sum(known), currency)} in all"
    if unknown:
        text += f" ({unknown} of unknown cost not included)"
    return text


def money(amount: float | None, currency: str) -> str:
    if amount is None:
        return "unknown"
    return f"{amount:,.2f} {currency}".replace(",", " ")


# --- Ark's token count ---------------------------------------------------------------------

ARK_TOKEN_DIVISOR = 1024  # tokens = W × H × frames / 1024 (ark-contract.md §7)


def ark_frames(duration_s: int, fps: int = 24) -> int:
    """Frames the service counts for a length: fps × seconds + 1.

    The contract's formula says fps × duration; its only real example (720p 16:9, 5 s:
    ``completion_tokens: 108900`` = 1280×720×121/1024) counts one frame more. The estimate
    follows the observation, which is also the higher figure.
    """
    return fps * duration_s + 1


def ark_tokens(width: int, height: int, duration_s: int, fps: int = 24) -> int:
    return width * height * ark_frames(duration_s, fps) // ARK_TOKEN_DIVISOR


# --- what a job was billed -----------------------------------------------------------------

SETTLED = "billed"  # the job ended and this is what it cost
PENDING = "pending"  # still running: its estimate counts until it ends
MAYBE = "maybe"  # the service may have billed it (submit unknown, expired, Jimeng cancel)


@dataclass(frozen=True)
class JobCost:
    amount: float | None  # None: unknown
    currency: str
    status: str  # SETTLED | PENDING | MAYBE


def cost_text(cost: JobCost) -> str:
    """One job's cost for a details line: "5.01 CNY (billed)", or why it is not known."""
    if cost.amount is None:
        return "unknown (no price for it: `jimeng-tui spend --prices`)"
    if cost.amount == 0:
        return "nothing (not billed)"
    return f"{cost.amount:.2f} {cost.currency} ({cost.status})".replace("  ", " ")


def job_cost(
    state: str,
    meta: Mapping[str, Any],
    *,
    service: str,
    has_task: bool,
) -> JobCost:
    """What one history row cost (or may cost), from its state and the price kept with it.

    - saved: the recorded ``cost``, else Ark's ``usage_tokens`` × the recorded price, else the
      per-video price, else the estimate;
    - failed, or cancelled on a service that deletes the task (Ark): 0 ("only successfully
      generated videos are charged", ark-contract.md §7);
    - never sent (no task): 0;
    - submit unknown, expired, cancelled on Jimeng 3.0 (which has no cancel: the task runs on):
      the estimate, as "maybe";
    - still running: the estimate, as "pending".
    """
    price = Price.from_json(meta["price"]) if isinstance(meta.get("price"), Mapping) else None
    currency = str(meta.get("currency") or (price.currency if price else ""))
    estimate = _number(meta.get("estimate"))
    if state == "saved":
        recorded = _number(meta.get("cost"))
        if recorded is not None:
            return JobCost(recorded, currency, SETTLED)
        return JobCost(billed_amount(price, meta, estimate), currency, SETTLED)
    if state == "failed":
        return JobCost(0.0, currency, SETTLED)
    if state == "submit_unknown":
        return JobCost(estimate, currency, MAYBE)
    if not has_task and state in ("cancelled", "expired"):
        return JobCost(0.0, currency, SETTLED)
    if state == "cancelled":
        if service == "ark":  # a cancel deletes a queued task: nothing was rendered
            return JobCost(0.0, currency, SETTLED)
        return JobCost(estimate, currency, MAYBE)
    if state == "expired":
        return JobCost(estimate, currency, MAYBE)
    return JobCost(estimate, currency, PENDING)


def billed_amount(
    price: Price | None, meta: Mapping[str, Any], estimate: float | None
) -> float | None:
    """A finished job's bill from the price kept with it: Ark's reported tokens × the price per
    million, or the per-video price; the estimate when the service reported no usage."""
    if price is None or price.amount is None:
        return None
    if price.unit == PER_MILLION_TOKENS:
        tokens = meta.get("usage_tokens")
        if isinstance(tokens, int) and not isinstance(tokens, bool):
            return round(tokens * price.amount / 1_000_000, 6)
        return estimate
    return price.amount


def record_bill(meta: JobMeta) -> None:
    """Fix on a saved job's meta what it was billed: the price kept with it × the service's
    reported usage (Ark), or the per-video price (Jimeng 3.0); None when the price is unknown."""
    price = Price.from_json(meta.price) if meta.price else None
    meta.cost = billed_amount(price, {"usage_tokens": meta.usage_tokens}, meta.estimate)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


__all__ = [
    "MAYBE",
    "PENDING",
    "PER_MILLION_TOKENS",
    "PER_VIDEO",
    "SETTLED",
    "Estimate",
    "JobCost",
    "Meter",
    "Metered",
    "Price",
    "PriceTable",
    "ark_frames",
    "ark_tokens",
    "billed_amount",
    "describe",
    "describe_total",
    "job_cost",
    "money",
    "record_bill",
]
