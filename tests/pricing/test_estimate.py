"""Estimates before paying (issue 16): each Jimeng 3.0 mode and length, each Seedance model by
the token formula, prices from config.toml, and unknown prices said as unknown."""

from __future__ import annotations

import pytest

from jimeng_tui.domain.prices import ark_tokens, describe, describe_total
from jimeng_tui.pricing import PriceBook, estimate, estimate_params
from jimeng_tui.services.ark.codec import ARK_CAPS
from jimeng_tui.services.ark.prices import output_size
from jimeng_tui.services.base import RequestSummary
from jimeng_tui.services.jimeng.capabilities import JIMENG_CAPS
from jimeng_tui.store.config import ConfigError

ARK_IDS = [m.id for m in ARK_CAPS.models]
JIMENG_MODES = [m.id for m in JIMENG_CAPS.models]


def test_the_contract_example_is_108900_tokens_and_5_01_cny_on_seedance_2():
    # ark-contract.md §7: 720p 16:9 5 s reported completion_tokens 108 900 (121 frames)
    est = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5},
        ARK_CAPS,
        PriceBook(),
        model_id="doubao-seedance-2-0-260128",
    )
    assert est.tokens == 108_900
    assert est.amount == pytest.approx(108_900 * 46.0 / 1e6)
    line = describe(est)
    assert line.startswith("≈ 5.01 CNY (")
    assert "108 900 tokens" in line and "46.00 CNY/1M tokens" in line
    assert "third-party" in line


@pytest.mark.parametrize("model_id", ARK_IDS)
@pytest.mark.parametrize("duration", [4, 5, 12])
def test_every_seedance_model_counts_tokens_by_the_formula(model_id, duration):
    model = ARK_CAPS.model(model_id)
    for resolution in model.resolutions:
        for ratio in [r for r in model.ratios if r != "adaptive"]:
            if duration not in model.durations:
                continue
            (w, h), _ = output_size(model_id, resolution, ratio)
            est = estimate_params(
                {"resolution": resolution, "ratio": ratio, "duration": duration},
                ARK_CAPS,
                PriceBook(),
                model_id=model_id,
            )
            assert est.tokens == w * h * (24 * duration + 1) // 1024 == ark_tokens(w, h, duration)


def test_seedance_1_0_uses_its_own_sizes_and_1080p_its_own_price():
    est10 = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5},
        ARK_CAPS,
        PriceBook(),
        model_id="doubao-seedance-1-0-pro-250528",
    )
    assert est10.tokens == 1248 * 704 * 121 // 1024
    est20 = estimate_params(
        {"resolution": "1080p", "ratio": "16:9", "duration": 10},
        ARK_CAPS,
        PriceBook(),
        model_id="seedance-2.0",
    )
    assert est20.price is not None and est20.price.amount == 51.0


def test_a_model_nobody_priced_is_unknown_never_guessed():
    est = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5},
        ARK_CAPS,
        PriceBook(),
        model_id="doubao-seedance-1-0-lite-t2v-250428",
    )
    assert est.amount is None
    assert est.tokens == 103_818  # the tokens are still said
    line = describe(est)
    assert line.startswith("cost unknown (")
    assert 'set [prices] "doubao-seedance-1-0-lite-t2v-250428" in config.toml' in line


def test_a_total_of_unknown_costs_names_every_model_that_lacks_a_price():
    """A storyboard of two models: the total says where to set both prices, not the first's."""
    first = estimate_params({"duration": 5}, JIMENG_CAPS, PriceBook(), model_id="i2v_first_720p")
    text = estimate_params({"duration": 4}, JIMENG_CAPS, PriceBook(), model_id="t2v_720p")
    line = describe_total([first, first, first, text])
    assert line.startswith("cost unknown for all 4 (")
    assert line.count('set [prices] "i2v_first_720p"') == 1  # each reason once
    assert 'set [prices] "t2v_720p"' in line
    many = [
        estimate_params({"duration": 5}, JIMENG_CAPS, PriceBook(), model_id=mode)
        for mode in JIMENG_MODES
    ]
    assert len({e.why for e in many}) > 3
    assert describe_total(many).endswith(f"and {len({e.why for e in many}) - 3} more)")


@pytest.mark.parametrize("mode", JIMENG_MODES)
@pytest.mark.parametrize(("asked", "native"), [(4, 5), (5, 5), (6, 10), (8, 10), (10, 10)])
def test_jimeng_bills_the_native_length_and_is_unknown_without_a_price(mode, asked, native):
    est = estimate_params({"duration": asked}, JIMENG_CAPS, PriceBook(), model_id=mode)
    assert est.amount is None
    assert f"renders {native} s, billed as {native} s" in est.why
    priced = PriceBook(overrides={mode: 2.0, f"{mode}:10s": 3.5})
    est = estimate_params({"duration": asked}, JIMENG_CAPS, priced, model_id=mode)
    assert est.amount == (3.5 if native == 10 else 2.0)


def test_prices_and_currency_come_from_config_toml(write_config):
    config = write_config(
        "[prices]\n"
        'currency = "USD"\n'
        '"seedance-2.0" = 7.0\n'
        '"doubao-seedance-1-5-pro-251215:audio" = 2.4\n'
        "t2v_720p = 0.0\n"
    )
    book = PriceBook.from_config(config)
    summary = RequestSummary("p", "doubao-seedance-2-0-260128", "x", {"resolution": "1080p",
                             "ratio": "16:9"}, 5, 24)  # fmt: skip
    est = estimate(summary, ARK_CAPS, book)
    # the user's model-wide price wins over the table's 1080p row; in the user's currency
    assert est.amount == pytest.approx(245_025 * 7.0 / 1e6)
    assert est.currency == "USD" and "your config.toml [prices]" in est.price.source
    audio = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5, "generate_audio": True},
        ARK_CAPS,
        book,
        model_id="seedance-1.5-pro",
    )
    assert audio.amount == pytest.approx(108_900 * 2.4 / 1e6)
    silent = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5, "generate_audio": False},
        ARK_CAPS,
        book,
        model_id="seedance-1.5-pro",
    )
    assert silent.amount is None  # only the audio variant was priced
    # the table is in CNY: with USD its figures are not used (converting would be a guess)
    fast = estimate_params(
        {"resolution": "720p", "ratio": "16:9", "duration": 5},
        ARK_CAPS,
        book,
        model_id="seedance-2.0-fast",
    )
    assert fast.amount is None and "the table is in CNY, your currency is USD" in fast.why
    free = estimate_params({"duration": 5}, JIMENG_CAPS, book, model_id="t2v_720p")
    assert describe(free).startswith("≈ 0.00 USD")


def test_a_bad_price_in_config_toml_names_the_key_and_line(write_config):
    with pytest.raises(ConfigError) as caught:
        write_config('[prices]\ncurrency = "CNY"\nt2v_720p = -1\n')
    assert "prices.t2v_720p" in str(caught.value) and "line 3" in str(caught.value)
    with pytest.raises(ConfigError) as caught:
        write_config('[budget]\ndaily = "lots"\n')
    assert "budget.daily" in str(caught.value)


def test_price_keys_naming_no_model_are_found():
    book = PriceBook(overrides={"seedance-2.0": 1.0, "seedanse-2.0": 1.0, "t2v_720p:10s": 1.0})
    assert book.unknown_keys([ARK_CAPS, JIMENG_CAPS]) == ["seedanse-2.0"]


def test_prices_and_budget_survive_saving_the_settings(write_config):
    from jimeng_tui.session.config import load_config, save_config
    from jimeng_tui.store.paths import app_paths

    config = write_config(
        '[prices]\ncurrency = "USD"\n"seedance-2.0:1080p" = 9.5\n[budget]\ndaily = 12.5\n'
    )
    save_config(config, app_paths())  # what Settings does
    again = load_config(app_paths()).config
    assert again.prices.currency == "USD"
    assert again.prices.overrides == {"seedance-2.0:1080p": 9.5}
    assert again.budget.daily == 12.5 and again.budget.monthly == 0.0
