"""The picker: distributions and their origins as a tree, type to filter, or an ad-hoc origin."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.events import Key
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from cftui.ui.entries import OriginEntry, OriginGroupEntry, PickerEntries
from cftui.ui.logs import find_group
from cftui.ui.render.logs import progress_line, rate_badge, summary_line
from cftui.ui.render.picker import (
    adhoc_label,
    entry_detail,
    getting_started,
    group_detail,
    group_label,
    group_row_label,
    origin_label,
)
from cftui.ui.widgets.common import cftui_app, glyphs_of

ADHOC = "adhoc"
Row = OriginEntry | OriginGroupEntry | str | None


class FilterInput(Input):
    """The filter; Enter checks the highlighted origin (shown in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "submit", "Check", id="picker.filter.check")]


class OriginList(OptionList):
    """Distributions as headings, their origins under them; printable keys go to the filter."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select", "Check", id="picker.list.check")]

    def __init__(self) -> None:
        super().__init__(id="origins", compact=True)
        self.entries: dict[str, OriginEntry] = {}
        self.origin_groups: dict[str, OriginGroupEntry] = {}

    def on_key(self, event: Key) -> None:
        if event.is_printable and event.character and event.character != " ":
            event.stop()
            event.prevent_default()
            filter_input = self.screen.query_one("#filter", Input)
            filter_input.focus()
            filter_input.insert_text_at_cursor(event.character)

    def labels(self) -> list[str]:
        return [str(option.prompt) for option in self.options]

    @property
    def current(self) -> Row:
        option = self.highlighted_option
        if option is None or option.id is None:
            return None
        if option.id == ADHOC:
            return ADHOC
        return self.entries.get(option.id) or self.origin_groups.get(option.id)


_NOT_DRAWN = object()


class PickerScreen(Screen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Check", id="picker.check"),
        Binding("down", "cursor(1)", "Down", show=False, id="picker.down"),
        Binding("up", "cursor(-1)", "Up", show=False, id="picker.up"),
        Binding("ctrl+n", "adhoc", "Ad-hoc origin", id="picker.adhoc"),
        Binding("ctrl+l", "logs", "Logs", id="picker.logs"),
        Binding("escape", "clear_filter", "Clear filter", id="picker.clear-filter"),
        Binding("ctrl+q", "app.quit", "Quit", id="picker.quit"),
    ]

    def __init__(self, entries: PickerEntries) -> None:
        super().__init__(classes="picker-screen")
        self.entries = entries
        self._rates_from: object = _NOT_DRAWN  # the log summary the list's rates show

    def compose(self) -> ComposeResult:
        yield Static(id="picker-title", markup=False)
        yield FilterInput(placeholder="type to filter origins, or a domain to check",
                          id="filter")
        yield Static(id="log-status", markup=False)
        yield OriginList()
        yield Static(getting_started(), id="getting-started", markup=False)
        yield Static(id="entry-detail", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        count = sum(1 for _ in self.entries.entries())
        source = self.entries.source or "no source"
        groups = len(self.entries.groups)
        self.query_one("#getting-started").display = groups == 0
        self.query_one("#picker-title", Static).update(Content.assemble(
            ("cftui", "bold"), "  ",
            (f"{source}: {groups} distribution{'s' * (groups != 1)}, "
             f"{count} origin{'s' * (count != 1)}", "$text-muted")))
        self.logs_changed()  # draws the list
        self.query_one("#filter", Input).focus()

    def redraw(self) -> None:
        """Draw again, e.g. after ASCII mode was switched."""
        self.refresh_verdicts()

    def logs_changed(self) -> None:
        """Reading progress while the logs load, then each origin's error rate."""
        app = cftui_app(self)
        status = self.query_one("#log-status", Static)
        status.display = app.logs is not None
        if app.logs is not None:
            if app.log_error is not None:
                status.update(Content.assemble(("Logs: ", "bold"),
                                               (app.log_error, "$error")))
            elif app.log_summary is None:
                status.update(progress_line(*app.log_progress, ascii=app.ascii))
            else:
                status.update(Content.assemble(summary_line(app.log_summary),
                                               ("  ctrl+l: errors over time", "$text-muted")))
        # the list shows rates only once the summary is in: reading progress (up to ten
        # messages a second) changes the status line alone
        if app.log_summary is not self._rates_from:
            self._rates_from = app.log_summary
            self.refresh_verdicts()

    # --- the list -------------------------------------------------------------------

    def rebuild(self, text: str) -> None:
        origins = self.query_one(OriginList)
        glyphs = glyphs_of(self)
        shown = self.entries.filtered(text)
        reports = cftui_app(self).reports
        summary = cftui_app(self).log_summary
        previous = origins.highlighted_option.id if origins.highlighted_option else None
        options: list[Option] = []
        origins.entries = {}
        origins.origin_groups = {}
        for group in shown.groups:
            options.append(Option(group_label(group), id=f"g:{group.key}", disabled=True))
            rows = len(group.entries) + len(group.origin_groups)
            for index, entry in enumerate(group.entries):
                last = index == rows - 1
                guide = (glyphs.guide_last if last else glyphs.guide_mid) + " "
                report = reports.get(entry.target) if entry.target is not None else None
                label = origin_label(entry, glyphs, report)
                logged = find_group(summary, *entry.log_key) if entry.log_key else None
                if logged is not None:
                    label = Content.assemble(rate_badge(logged), "  ", label)
                options.append(Option(Content.assemble((guide, "$text-muted"), label),
                                      id=f"o:{entry.key}"))
                origins.entries[f"o:{entry.key}"] = entry
            for index, origin_group in enumerate(group.origin_groups, len(group.entries)):
                last = index == rows - 1
                guide = (glyphs.guide_last if last else glyphs.guide_mid) + " "
                # the second line continues the tree's guide, then the mark's width
                indent = (" " * len(guide) if last else glyphs.lane.ljust(len(guide))) + "  "
                label = group_row_label(origin_group, origin_group.verdict(reports), glyphs,
                                        indent)
                options.append(Option(Content.assemble((guide, "$text-muted"), label),
                                      id=f"og:{origin_group.key}"))
                origins.origin_groups[f"og:{origin_group.key}"] = origin_group
        options.append(Option(adhoc_label(text if not shown.groups else "", glyphs), id=ADHOC))
        origins.set_options(options)
        ids = [o.id for o in options if not o.disabled and o.id is not None]
        checkable = [i for i in ids if i in origins.entries and origins.entries[i].checkable]
        keep = previous if previous is not None and previous in ids else (checkable or ids)[0]
        origins.highlighted = origins.get_option_index(keep)
        self.show_detail(origins.current)

    def refresh_verdicts(self) -> None:
        self.rebuild(self.query_one("#filter", Input).value)

    def show_detail(self, data: Row) -> None:
        detail = self.query_one("#entry-detail", Static)
        if isinstance(data, OriginEntry):
            detail.update(entry_detail(data))
        elif isinstance(data, OriginGroupEntry):
            detail.update(group_detail(data.verdict(cftui_app(self).reports)))
        else:
            detail.update(Content.styled("check any domain: port, protocols and Host header "
                                         "in the next step", "$text-muted"))

    @on(OptionList.OptionHighlighted, "#origins")
    def _on_highlight(self, event: OptionList.OptionHighlighted) -> None:
        self.show_detail(self.query_one(OriginList).current)

    @on(OptionList.OptionSelected, "#origins")
    def _on_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.choose(self.query_one(OriginList).current)

    @on(Input.Changed, "#filter")
    def _on_filter(self, event: Input.Changed) -> None:
        self.rebuild(event.value)

    @on(Input.Submitted, "#filter")
    def _on_submit(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_choose()

    # --- actions ---------------------------------------------------------------------

    def choose(self, data: Row) -> None:
        if isinstance(data, OriginGroupEntry):
            # a group is checked through its members: the next one without a report
            target = data.first_unchecked(cftui_app(self).reports)
            if target is None:
                self.notify(f"No member of group {data.spec.id} can be checked", markup=False,
                            severity="warning")
            else:
                cftui_app(self).open_check(target)
        elif isinstance(data, OriginEntry):
            if data.target is None:
                self.notify(f"Cannot check {data.name}: {data.note}", markup=False,
                            severity="warning")
                return
            cftui_app(self).open_check(data.target)
        elif data == ADHOC:
            self.action_adhoc()

    def action_choose(self) -> None:
        self.choose(self.query_one(OriginList).current)

    def action_cursor(self, step: int) -> None:
        origins = self.query_one(OriginList)
        if step > 0:
            origins.action_cursor_down()
        else:
            origins.action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "logs":
            return cftui_app(self).logs is not None
        return True

    def action_logs(self) -> None:
        cftui_app(self).open_logs()

    def action_adhoc(self) -> None:
        text = self.query_one("#filter", Input).value.strip()
        domain = text if text and " " not in text and not self.entries.filtered(text).groups \
            else ""
        cftui_app(self).open_adhoc(domain)

    def action_clear_filter(self) -> None:
        filter_input = self.query_one("#filter", Input)
        filter_input.value = ""
        filter_input.focus()
