"""Shared widget helpers: the app's glyphs and formatter, with defaults outside CftuiApp."""

from __future__ import annotations

from textual.dom import DOMNode

from cftui.ui.format import Formatter
from cftui.ui.glyphs import UNICODE, Glyphs


def glyphs_of(node: DOMNode) -> Glyphs:
    return getattr(node.app, "glyphs", UNICODE)


def formatter_of(node: DOMNode) -> Formatter:
    return getattr(node.app, "fmt", None) or Formatter()
