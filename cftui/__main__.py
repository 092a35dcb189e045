"""python -m cftui"""

from cftui.cli import entry

entry()
