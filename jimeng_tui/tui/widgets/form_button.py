"""The form's buttons (Browse, Generate): Textual's ``Button`` without its stylesheet.

Button's default stylesheet is ~7,000 characters of nested rules for every variant, flat style
and the ANSI theme; parsing it was the most expensive piece of CSS on the first screen
(~15 ms on this machine, more than all the other widgets' together). The form only has
compact buttons in the default and primary variants, so ``FormButton`` is a ``Button`` (same
``Pressed`` message, keys and looks) that brings only those rules.
"""

from __future__ import annotations

from textual.widgets import Button


class FormButton(Button, inherit_css=False):
    """A compact ``Button`` (default or primary variant) with only the rules it uses."""

    # Button's own rules for its default style, compact, less the variants the form has no use
    # for (success, warning, error, flat). ``inherit_css=False`` also drops Widget's rules
    # (scrollbar and link colours: a one-line button has neither).
    DEFAULT_CSS = """
    FormButton {
        width: auto;
        min-width: 16;
        height: auto;
        line-pad: 1;
        text-align: center;
        content-align: center middle;
        pointer: pointer;
        text-style: bold;
        color: $button-foreground;
        background: $surface;
        border: none;
        &:disabled { text-opacity: 0.6; pointer: not-allowed; }
        &:focus { text-style: $button-focus-text-style; background-tint: $foreground 5%; }
        &:hover { background: $surface-darken-1; }
        &.-active { background: $surface; tint: $background 30%; }
        &.-primary {
            color: $button-color-foreground;
            background: $primary;
            &:hover { background: $primary-darken-2; }
            &.-active { background: $primary; }
        }
        &:ansi {
            background: ansi_default;
            &:hover { background: $ansi-background; }
            &.-active { background: $ansi-background !important; tint: transparent; }
            &:disabled {
                text-opacity: 1;
                text-style: bold dim;
                background: ansi_default !important;
            }
            &.-primary { color: $primary; background: ansi_default; }
            &.-primary:hover { background: $ansi-background; }
        }
    }
    """
