"""The prices in force: each service's dated table with the user's ``[prices]`` on top.

A key is ``"<model>"`` (every variant of it) or ``"<model>:<variant>"`` (one: ``audio``,
``silent``, ``1080p``, ``video_input``, or Jimeng 3.0's ``5s`` / ``10s``); the model may be its
id or an alias. Your own prices win over the table's at every level; among yours (then among the
table's) the most specific key wins. The table's figures are in its currency: with another
``currency`` label they are not used (shown as unknown), since converting would be a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from jimeng_tui.domain.capabilities import Capabilities, ModelCaps
from jimeng_tui.domain.errors import ValidationError
from jimeng_tui.domain.prices import PER_MILLION_TOKENS, Price
from jimeng_tui.store.config import Config
from jimeng_tui.store.config_cost import DEFAULT_CURRENCY

CONFIG_SOURCE = "your config.toml [prices]"


@dataclass(frozen=True)
class PriceBook:
    currency: str = DEFAULT_CURRENCY
    overrides: Mapping[str, float] = field(default_factory=dict)

    @classmethod
    def from_config(cls, config: Config) -> PriceBook:
        return cls(config.prices.currency, dict(config.prices.overrides))

    def price(self, caps: Capabilities, model: ModelCaps, variant: Iterable[str] = ()) -> Price:
        """The price of ``model`` for ``variant``; ``amount`` None when nobody knows it."""
        unit = caps.prices.unit if caps.prices else PER_MILLION_TOKENS
        keys = _candidates(model.id, tuple(variant))
        mine = self._own(caps, model)
        for key in keys:
            if key in mine:
                amount, written = mine[key]
                return Price(amount, unit, self.currency, f"{CONFIG_SOURCE} {written!r}")
        table = caps.prices
        if table is None:
            return Price(None, unit, self.currency, "no price table for this service")
        for key in keys:
            found = table.prices.get(key)
            if found is None:
                continue
            if found.currency != self.currency:
                return Price(
                    None,
                    unit,
                    self.currency,
                    found.source,
                    found.date,
                    note=f"the table is in {found.currency}, your currency is {self.currency}: "
                    f"set this price under [prices]",
                )
            return found
        return Price(None, unit, self.currency, "not in the price table", table.date)

    def _own(self, caps: Capabilities, model: ModelCaps) -> dict[str, tuple[float, str]]:
        """The user's prices for ``model``, by canonical key (alias resolved)."""
        found: dict[str, tuple[float, str]] = {}
        for written, amount in self.overrides.items():
            name, _, variant = written.partition(":")
            if name != model.id and name not in model.aliases:
                continue
            found[f"{model.id}:{variant}" if variant else model.id] = (amount, written)
        return found

    def unknown_keys(self, services: Iterable[Capabilities]) -> list[str]:
        """The ``[prices]`` keys that name no model of any service (a typo: said, not ignored)."""
        every = list(services)
        bad = []
        for written in self.overrides:
            name = written.partition(":")[0]
            if not any(_has_model(caps, name) for caps in every):
                bad.append(written)
        return bad


def _has_model(caps: Capabilities, name: str) -> bool:
    try:
        caps.model(name)
    except ValidationError:
        return False
    return True


def _candidates(model_id: str, variant: tuple[str, ...]) -> list[str]:
    """Most specific first: all parts joined, each part alone, the model."""
    keys: list[str] = []
    if len(variant) > 1:
        keys.append(f"{model_id}:{'+'.join(variant)}")
    keys.extend(f"{model_id}:{part}" for part in variant)
    keys.append(model_id)
    return keys
