"""Shared widget helpers: the app typed, its glyphs and formatter (defaults outside CftuiApp)."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.dom import DOMNode

from cftui.ui.format import Formatter
from cftui.ui.glyphs import UNICODE, Glyphs

if TYPE_CHECKING:
    from cftui.ui.app import CftuiApp


def cftui_app(node: DOMNode) -> CftuiApp:
    """The running app as a CftuiApp (Posting's idiom): screens live only inside it."""
    return cast("CftuiApp", node.app)


def glyphs_of(node: DOMNode) -> Glyphs:
    return getattr(node.app, "glyphs", UNICODE)


def formatter_of(node: DOMNode) -> Formatter:
    return getattr(node.app, "fmt", None) or Formatter()
