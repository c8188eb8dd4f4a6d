"""Paper claims next to computed values, rendered as ``report.md``.

A :class:`Claim` pairs a quantitative statement of the paper with the number vlaser
computed for it. The paper's value appears only as text to compare with; it is never
an input to a computation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Claim:
    """One checked statement.

    Attributes:
        section: Where the paper makes it, e.g. ``"II"``, ``"III.A"``, ``"Fig. 4"``.
        statement: The claim in words.
        paper: The paper's value as text (e.g. ``"≈ 614 Γ2"``); ``""`` if qualitative.
        computed: vlaser's value as text, with units.
        holds: ``True`` if the computed value supports the claim, ``False`` if not,
            ``None`` if there is nothing to decide (information only).
        note: How the comparison was made or why it differs.
    """

    section: str
    statement: str
    paper: str
    computed: str
    holds: bool | None
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def _verdict(holds: bool | None) -> str:
    return {True: "holds", False: "**does not hold**", None: "info"}[holds]


def render_markdown(
    sections: Iterable[tuple[str, Iterable[Claim]]], header: str = "", footer: str = ""
) -> str:
    """Render claims grouped by figure/section as a markdown report."""
    lines = ["# vlaser reproduction report", ""]
    if header:
        lines += [header, ""]
    for title, claims in sections:
        claims = list(claims)
        lines += [f"## {title}", ""]
        if not claims:
            lines += ["(no quantitative statements)", ""]
            continue
        lines += [
            "| section | statement | paper | computed | verdict | note |",
            "|---|---|---|---|---|---|",
        ]
        for c in claims:
            cells = [c.section, c.statement, c.paper, c.computed, _verdict(c.holds), c.note]
            lines.append(
                "| " + " | ".join(s.replace("|", "\\|").replace("\n", " ") for s in cells) + " |"
            )
        lines.append("")
    if footer:
        lines += [footer, ""]
    return "\n".join(lines)
