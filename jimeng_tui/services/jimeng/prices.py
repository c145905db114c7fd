"""What Jimeng Video 3.0 costs, as of 2026-12-07: one price per rendered video.

The service renders 5 s (121 frames) or 10 s (241 frames) only; a 4 s request is rendered (and
billed) as 5 s, a 6 s or 8 s one as 10 s, then trimmed here. Volcengine's 即梦AI 视频生成 price
pages could not be read and no other source gave a figure, so every price is unknown until you
set it in ``config.toml`` ``[prices]`` (e.g. ``t2v_720p = 0.0`` or ``"t2v_720p:10s" = 0.0``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimeng_tui.domain.capabilities import ModelCaps
from jimeng_tui.domain.prices import PER_VIDEO, Metered, Price, PriceTable
from jimeng_tui.services.jimeng import catalog

TABLE_DATE = "2026-12-07"
CURRENCY = "CNY"
_NO_SOURCE = "no readable source (Volcengine's 即梦AI 视频生成 billing page was not readable)"

PRICES: dict[str, Price] = {
    f"{mode}:{seconds}s": Price(None, PER_VIDEO, CURRENCY, _NO_SOURCE, TABLE_DATE)
    for mode in catalog.MODES
    for seconds in sorted(catalog.NATIVE_FRAMES)
}


def meter(model: ModelCaps, params: Mapping[str, Any]) -> Metered:
    asked = int(params.get("duration") or model.durations[0])
    native = model.native_duration_for(asked)
    why = f"renders {native} s, billed as {native} s"
    if native != asked:
        why += f" (trimmed to {asked} s here)"
    return Metered(1, (f"{native}s",), why)


# (service, date, currency, unit, prices, meter)
JIMENG_PRICES = PriceTable("jimeng3", TABLE_DATE, CURRENCY, PER_VIDEO, PRICES, meter)
