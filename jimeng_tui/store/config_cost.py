"""The cost settings of ``config.toml``: ``[prices]`` (your own prices and the currency label)
and ``[budget]`` (daily and monthly caps). Shape-checked here; which model a price key names is
checked by ``jimeng_tui.pricing`` (the store never imports a service).

```toml
[prices]
currency = "CNY"                         # the label every amount is shown with
"doubao-seedance-2-0-260128" = 46.0      # per 1M tokens (any variant of the model)
"seedance-1.5-pro:audio" = 16.0          # one variant: audio, silent, 1080p, video_input
t2v_720p = 0.0                           # Jimeng 3.0: per video ("t2v_720p:10s" for one length)

[budget]
daily = 50.0                             # 0 = no cap
monthly = 800.0
```
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from jimeng_tui.store.config_rules import BadValue
from jimeng_tui.store.config_schema import DEFAULT_CURRENCY as DEFAULT_CURRENCY
from jimeng_tui.store.config_schema import BudgetConfig as BudgetConfig
from jimeng_tui.store.config_schema import PricesConfig, file_error

_CURRENCY_RE = re.compile(r"[A-Za-z][A-Za-z0-9 ._-]{0,15}")


def price_amount(value: Any) -> float:
    allowed = "a number ≥ 0 (per 1M tokens for Seedance, per video for Jimeng 3.0)"
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue("is not a number", allowed)
    number = float(value)
    if not math.isfinite(number) or number < 0:
        raise BadValue("must be 0 or more", allowed)
    return number


def currency_label(value: Any) -> str:
    allowed = 'a short label such as "CNY" or "USD"'
    if not isinstance(value, str) or not _CURRENCY_RE.fullmatch(value.strip()):
        raise BadValue("is not a currency label", allowed)
    return value.strip()


def parse_prices(content: dict[str, Any], text: str, path: Path) -> PricesConfig:
    prices = PricesConfig()
    for key, value in content.items():
        try:
            if key == "currency":
                prices.currency = currency_label(value)
            else:
                prices.overrides[key.strip()] = price_amount(value)
        except BadValue as bad:
            raise file_error(path, text, "prices", key, value, bad) from None
    return prices


def prices_to_dict(prices: PricesConfig) -> dict[str, Any]:
    return {"currency": prices.currency, **prices.overrides}
