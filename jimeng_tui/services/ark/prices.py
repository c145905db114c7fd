"""What Seedance on Ark costs, as of 2026-12-07: CNY per million output tokens (online tier).

No official price page could be read (ark-contract.md §7, open question 10): every figure here is
a third-party one, named with its source and date. Where no source gives a CNY figure the price
is ``None`` (unknown); the figures seen in other units are in the row's note, not converted.
Billed by output tokens: ``usage.completion_tokens`` of the finished task; only successfully
generated videos are charged [M-TH].

Derivations: crazyrouter (2026-06-18) quotes 2.0 as "46 / 7 USD" (i.e. 46 CNY); LaoZhang API
(2026-10-14) sells at "Volcengine's RMB list price × 0.1714" USD and lists $7.88 / $8.74 (480p
and 720p / 1080p) and $4.80 / $5.31 with an input video: 7.88 / 0.1714 = 46.0, 8.74 / 0.1714 =
51.0, 4.80 / 0.1714 = 28.0, 5.31 / 0.1714 = 31.0; fast $6.34 / $3.77 → 37.0 / 22.0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimeng_tui.domain.capabilities import ModelCaps
from jimeng_tui.domain.prices import PER_MILLION_TOKENS, Metered, Price, PriceTable, ark_frames

TABLE_DATE = "2026-12-07"
CURRENCY = "CNY"

CRAZYROUTER = "https://crazyrouter.com/blog (Seedance 2.0 pricing, 2026-06-18)"
LAOZHANG = "https://docs.laozhang.ai/en/announcements/seedance-pricing-2026-10"
A302 = "https://doc-en.302.ai/344157192e0"
COMFY = "https://docs.comfy.org/tutorials/partner-nodes/pricing"


def _cny(amount: float | None, source: str, date: str, note: str = "") -> Price:
    return Price(amount, PER_MILLION_TOKENS, CURRENCY, source, date, third_party=True, note=note)


def _unknown(note: str) -> Price:
    return Price(None, PER_MILLION_TOKENS, CURRENCY, "no source in CNY", TABLE_DATE, note=note)


_V20 = "doubao-seedance-2-0-260128"
_V20_FAST = "doubao-seedance-2-0-fast-260128"
_V15 = "doubao-seedance-1-5-pro-251215"
_V10_PRO = "doubao-seedance-1-0-pro-250528"
_V10_PRO_FAST = "doubao-seedance-1-0-pro-fast-251015"
_V10_LITE_T2V = "doubao-seedance-1-0-lite-t2v-250428"
_V10_LITE_I2V = "doubao-seedance-1-0-lite-i2v-250428"

_2_0 = "crazyrouter: 46 CNY (“46 / 7 USD”); LaoZhang: $7.88 = list × 0.1714"
_LITE = "302.ai (undated): 1.5 PTC per 1M tokens; no CNY figure"

PRICES: dict[str, Price] = {
    _V20: _cny(46.0, f"{CRAZYROUTER}; {LAOZHANG}", "2026-10-14", _2_0),
    f"{_V20}:1080p": _cny(51.0, LAOZHANG, "2026-10-14", "LaoZhang: $8.74 = list × 0.1714"),
    f"{_V20}:video_input": _cny(28.0, f"{CRAZYROUTER}; {LAOZHANG}", "2026-10-14"),
    f"{_V20}:1080p+video_input": _cny(31.0, LAOZHANG, "2026-10-14"),
    _V20_FAST: _cny(37.0, f"{CRAZYROUTER}; {LAOZHANG}", "2026-10-14", "LaoZhang: $6.34"),
    f"{_V20_FAST}:video_input": _cny(22.0, f"{CRAZYROUTER}; {LAOZHANG}", "2026-10-14"),
    f"{_V15}:audio": _unknown(f"302.ai: 2.4 PTC online, 1.2 flex; Comfy: 506.4 credits ({COMFY})"),
    f"{_V15}:silent": _unknown(f"302.ai: 1.2 PTC online, 0.6 flex; Comfy: 253.2 credits ({COMFY})"),
    _V15: _unknown("302.ai gives PTC only (flex is half of online there)"),
    _V10_PRO: _unknown("302.ai (undated): 2.2 PTC per 1M tokens; no CNY figure"),
    _V10_PRO_FAST: _unknown("no figure found"),
    _V10_LITE_T2V: _unknown(_LITE),
    _V10_LITE_I2V: _unknown(_LITE),
}

# Output sizes (W, H) [M-CA, "follows the official Seedance resolution mapping"]; 1.0 models
# have their own, 1.5 and 2.x share one. The 1080p 21:9 sizes are cut off in the copied table.
_RATIOS = ("16:9", "4:3", "1:1", "3:4", "9:16", "21:9")
_SIZES_10 = {
    "480p": ((864, 480), (736, 544), (640, 640), (544, 736), (480, 864), (960, 416)),
    "720p": ((1248, 704), (1120, 832), (960, 960), (832, 1120), (704, 1248), (1504, 640)),
    "1080p": ((1920, 1088), (1664, 1248), (1440, 1440), (1248, 1664), (1088, 1920)),
}
_SIZES_15 = {
    "480p": ((864, 496), (752, 560), (640, 640), (560, 752), (496, 864), (992, 432)),
    "720p": ((1280, 720), (1112, 834), (960, 960), (834, 1112), (720, 1280), (1470, 630)),
    "1080p": ((1920, 1080), (1664, 1248), (1440, 1440), (1248, 1664), (1080, 1920)),
}
SIZES: dict[str, dict[str, dict[str, tuple[int, int]]]] = {
    family: {res: dict(zip(_RATIOS, sizes, strict=False)) for res, sizes in table.items()}
    for family, table in (("1.0", _SIZES_10), ("1.5", _SIZES_15))
}


def output_size(model_id: str, resolution: str, ratio: str) -> tuple[tuple[int, int], str]:
    """The rendered W×H, and a note when it is assumed (adaptive, or a size no source gives:
    the largest size of that resolution then, so the estimate does not fall short)."""
    family = "1.0" if model_id.startswith("doubao-seedance-1-0") else "1.5"
    sizes = SIZES[family].get(resolution, {})
    if ratio in sizes:
        return sizes[ratio], ""
    largest = max(sizes.values(), key=lambda wh: wh[0] * wh[1], default=(0, 0))
    if ratio == "adaptive":
        return largest, f"ratio from the image: the largest {resolution} size assumed"
    return largest, f"{resolution} {ratio} size unverified: the largest {resolution} size assumed"


def meter(model: ModelCaps, params: Mapping[str, Any]) -> Metered:
    """Tokens = W × H × frames / 1024, frames = 24 × seconds + 1 (ark-contract.md §7)."""
    resolution = str(params.get("resolution") or "720p")
    ratio = str(params.get("ratio") or "16:9")
    duration = int(params.get("duration") or 5)
    variant: list[str] = []
    if resolution == "1080p":
        variant.append("1080p")
    notes: list[str] = []
    if any(o.name == "generate_audio" for o in model.options):
        sound = params.get("generate_audio")
        variant.append("silent" if sound is False else "audio")
        if sound is None:
            notes.append("with sound (the model's default, assumed)")
    if params.get("draft"):
        return Metered(None, tuple(variant), "a draft's token count is not known in advance")
    (width, height), size_note = output_size(model.id, resolution, ratio)
    if size_note:
        notes.append(size_note)
    frames = ark_frames(duration)
    tokens = width * height * frames // 1024
    why = f"{width}×{height} × {frames} frames ({duration} s) / 1024 = {tokens:,} tokens"
    return Metered(tokens, tuple(variant), "; ".join([why.replace(",", " "), *notes]))


# (service, date, currency, unit, prices, meter)
ARK_PRICES = PriceTable("ark", TABLE_DATE, CURRENCY, PER_MILLION_TOKENS, PRICES, meter)
