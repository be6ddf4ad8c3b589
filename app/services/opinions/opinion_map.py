"""The opinion map: participants projected to two dimensions, each opinion group outlined, drawn as server-side SVG.

A run stores only anonymous points ([x, y, group], sorted by value, scaled to 0..1000) for groups of at least k
people; nothing says whose point is whose. The page draws them with a convex hull per group, a text alternative
describing the groups and their sizes, and a data table.
"""

from __future__ import annotations

from dataclasses import dataclass

from nlp.opinions import OpinionResult

SCALE = 1000
WIDTH, HEIGHT, PAD = 640, 480, 36
# NHS.UK palette colours, each with its own marker shape so a group never depends on colour alone (WCAG 1.4.1).
STYLES = (("#005eb8", "circle"), ("#d5281b", "square"), ("#007f3b", "triangle"), ("#7c2855", "diamond"),
          ("#425563", "cross"))


def map_points(result: OpinionResult, min_group: int) -> list[list[int]]:
    """Anonymous points of every group of at least min_group people, scaled to 0..SCALE and sorted by value."""
    sizes = {group.id: len(group.participant_ids) for group in result.groups}
    shown = [(xy, result.group_of[label]) for label, xy in result.coords.items()
             if label in result.group_of and sizes.get(result.group_of[label], 0) >= min_group]
    if not shown:
        return []
    xs, ys = [xy[0] for xy, _ in shown], [xy[1] for xy, _ in shown]
    span = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0

    def scaled(value: float, low: float) -> int:
        return int(round((value - low) / span * SCALE))

    return sorted([scaled(x, min(xs)), scaled(y, min(ys)), group] for (x, y), group in shown)


@dataclass
class MapGroup:
    number: int
    size: int
    colour: str
    shape: str
    points: list[tuple[float, float]]
    outline: str  # SVG polygon points of the group's convex hull, padded
    centre: tuple[float, float]
    place: str  # where the group sits on the map, in words


@dataclass
class OpinionMap:
    groups: list[MapGroup]
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def description(self) -> str:
        parts = [f"group {g.number}, {g.size} people, {g.place}" for g in self.groups]
        return (f"Opinion map of {sum(g.size for g in self.groups)} people in {len(self.groups)} groups. Each mark is "
                "one person; people close together voted alike. " + "; ".join(parts).capitalize() + ".")


def _hull(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Convex hull (Andrew's monotone chain), anticlockwise."""
    unique = sorted(set(points))
    if len(unique) < 3:
        return unique

    def cross(o: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list[tuple[float, float]] = []
    for p in unique:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list[tuple[float, float]] = []
    for p in reversed(unique):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return lower[:-1] + upper[:-1]


def _outline(points: list[tuple[float, float]], centre: tuple[float, float], pad: float = 10.0) -> str:
    hull = _hull(points)
    if len(hull) < 3:  # all on one line or one spot: a small diamond around them
        (x0, y0), (x1, y1) = min(points), max(points)
        hull = [(x0 - pad, y0), ((x0 + x1) / 2, min(y0, y1) - pad), (x1 + pad, y1), ((x0 + x1) / 2, max(y0, y1) + pad)]
        return " ".join(f"{x:.1f},{y:.1f}" for x, y in hull)
    padded = []
    for x, y in hull:
        dx, dy = x - centre[0], y - centre[1]
        length = (dx * dx + dy * dy) ** 0.5 or 1.0
        padded.append((x + dx / length * pad, y + dy / length * pad))
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in padded)


def _place(centre: tuple[float, float]) -> str:
    x, y = centre[0] / WIDTH, centre[1] / HEIGHT
    across = "left" if x < 0.4 else "right" if x > 0.6 else "middle"
    down = "top" if y < 0.4 else "bottom" if y > 0.6 else ""
    if across == "middle" and not down:
        return "in the middle"
    return f"at the {down + ' ' if down else ''}{across}".replace("top middle", "top").replace("bottom middle", "bottom")


def build_map(stored: list[list[int]] | None, sizes: list[int], min_group: int) -> OpinionMap | None:
    """The drawable map of a run's stored points; None without two groups of at least min_group people."""
    if not stored or len(sizes) < 2 or min(sizes) < min_group:
        return None
    usable = (WIDTH - 2 * PAD, HEIGHT - 2 * PAD)
    ratio = min(usable) / SCALE
    by_group: dict[int, list[tuple[float, float]]] = {}
    for x, y, group in stored:
        # y grows downwards in SVG; the axes of a projection have no meaning, so no flip is needed.
        by_group.setdefault(group, []).append((PAD + x * ratio + (usable[0] - usable[1]) / 2, PAD + y * ratio))
    groups = []
    for group, points in sorted(by_group.items()):
        if group >= len(sizes) or sizes[group] < min_group or len(points) < min_group:
            continue
        centre = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
        colour, shape = STYLES[group % len(STYLES)]
        groups.append(MapGroup(group + 1, sizes[group], colour, shape, points, _outline(points, centre), centre,
                               _place(centre)))
    return OpinionMap(groups) if len(groups) >= 2 else None
