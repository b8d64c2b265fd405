"""A journey as a swim-lane picture: one lane per agency, contacts along time. SVG, so it
sits in a web page or a PDF report and stays sharp; every label is escaped."""

from __future__ import annotations

from html import escape

from totalplace.journeys.rules.journeys import Journey

LANE = 56
LEFT = 190
WIDTH = 900
COLOURS = {
    "resolved": "#00703c",
    "referred": "#1d70b8",
    "dropped": "#d4351c",
    "repeated": "#f47738",
}


def swimlane_svg(journey: Journey) -> str:
    steps = sorted(journey.steps, key=lambda s: (s.day, s.number))
    agencies = list(dict.fromkeys(s.agency for s in steps))
    last_day = max([s.day for s in steps] + [1])
    height = LANE * len(agencies) + 70

    def x(day: int) -> float:
        return LEFT + (WIDTH - LEFT - 40) * day / last_day

    def y(agency: str) -> float:
        return 40 + LANE * agencies.index(agency) + LANE / 2

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'role="img" aria-labelledby="title-{escape(journey.journey_id)}" '
        'font-family="Arial, sans-serif" font-size="14">',
        f'<title id="title-{escape(journey.journey_id)}">Journey {escape(journey.journey_id)}: '
        f"{len(steps)} contacts with {len(agencies)} agencies over {last_day} days</title>",
    ]
    for i, agency in enumerate(agencies):
        top = 40 + LANE * i
        fill = "#f3f2f1" if i % 2 == 0 else "#ffffff"
        parts.append(f'<rect x="0" y="{top}" width="{WIDTH}" height="{LANE}" fill="{fill}"/>')
        parts.append(
            f'<text x="10" y="{top + LANE / 2 + 5}" fill="#0b0c0c">{escape(agency)}</text>'
        )
    points = " ".join(f"{x(s.day):.1f},{y(s.agency):.1f}" for s in steps)
    parts.append(f'<polyline points="{points}" fill="none" stroke="#505a5f" stroke-width="2"/>')
    for s in steps:
        colour = COLOURS.get(s.outcome, "#0b0c0c")
        parts.append(
            f'<circle cx="{x(s.day):.1f}" cy="{y(s.agency):.1f}" r="9" fill="{colour}">'
            f"<title>Step {s.number}: {escape(s.service)} ({escape(s.outcome)}), day {s.day},"
            f" £{s.cost_gbp:,.2f}</title></circle>"
        )
        parts.append(
            f'<text x="{x(s.day):.1f}" y="{y(s.agency) + 4:.1f}" fill="#ffffff" '
            f'font-size="11" text-anchor="middle">{s.number}</text>'
        )
    parts.append(f'<text x="{LEFT}" y="25" fill="#0b0c0c">Day 0</text>')
    parts.append(
        f'<text x="{WIDTH - 40}" y="25" fill="#0b0c0c" text-anchor="end">Day {last_day}</text>'
    )
    legend_y = height - 12
    for i, (outcome, colour) in enumerate(COLOURS.items()):
        parts.append(
            f'<circle cx="{LEFT + 120 * i}" cy="{legend_y - 5}" r="6" '
            f'fill="{colour}"/><text x="{LEFT + 120 * i + 12}" y="{legend_y}" '
            f'fill="#0b0c0c">{outcome}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)
