"""The game of a pool of business cases, and where each agency stands in it.

A group of agencies can run a case only if every agency that pays for it is in the group,
and runs it only if it is worth running to the group: v(S) is the sum, over the cases S
can run, of max(0, what the case saves S's members less what it costs). The whole pool
runs exactly the cases worth running to everyone together; only those count in what an
agency bears, receives, and puts into or takes out of the pool.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations

from totalplace.sharing.rules.allocation import MAX_DENSE_PLAYERS, Game, GameError, game_from_values


@dataclass(frozen=True)
class PooledCase:
    """One appraised case, in present values (pounds): what each agency pays, and what it
    gains."""

    name: str
    costs: Mapping[str, float]
    benefits: Mapping[str, float]

    @property
    def agencies(self) -> list[str]:
        return sorted({*self.costs, *self.benefits})

    @property
    def payers(self) -> frozenset[str]:
        return frozenset(a for a, c in self.costs.items() if c > 0)

    @property
    def cost(self) -> float:
        return sum(self.costs.values())

    def worth_to(self, members: frozenset[str]) -> float:
        """What running the case is worth to a group, or 0 if the group cannot or would
        not run it."""
        if not self.payers <= members:
            return 0.0
        gained = sum(b for a, b in self.benefits.items() if a in members)
        return max(0.0, gained - self.cost)


def pooled_game(cases: Sequence[PooledCase]) -> Game:
    players = sorted({a for c in cases for a in c.agencies})
    if len(players) > MAX_DENSE_PLAYERS:
        raise GameError(
            f"a game derived from cases lists every coalition: at most "
            f"{MAX_DENSE_PLAYERS} agencies, not {len(players)}"
        )
    values: dict[frozenset[str], float] = {}
    for size in range(1, len(players) + 1):
        for members in combinations(players, size):
            coalition = frozenset(members)
            values[coalition] = sum(c.worth_to(coalition) for c in cases)
    return game_from_values(players, values)


def run_by_pool(cases: Sequence[PooledCase]) -> list[PooledCase]:
    """The cases the whole pool runs: those whose savings, to every agency, exceed their
    cost (a case worth nothing is not run, so it neither costs nor saves anyone)."""
    everyone = frozenset(a for c in cases for a in c.agencies)
    return [c for c in cases if c.worth_to(everyone) > 0]


@dataclass(frozen=True)
class Position:
    """Where one agency stands in the pool under one rule, in present-value pounds."""

    agency: str
    costs: float  # what it pays for the cases the pool runs
    benefits: float  # what those cases save it
    share: float  # its share of the pool's net savings: its net position after sharing

    @property
    def own_net(self) -> float:
        """Benefits less costs, before any money moves between agencies."""
        return self.benefits - self.costs

    @property
    def contribution(self) -> float:
        """What it pays into the pool (positive) or is paid from it (negative) so that it
        ends with its share: its own net less its share."""
        return self.own_net - self.share


def costs_and_benefits(
    cases: Sequence[PooledCase], players: Sequence[str]
) -> tuple[dict[str, float], dict[str, float]]:
    """Each agency's costs and benefits from the cases the pool runs, and only those."""
    run = run_by_pool(cases)
    costs = {p: sum(c.costs.get(p, 0.0) for c in run) for p in players}
    benefits = {p: sum(c.benefits.get(p, 0.0) for c in run) for p in players}
    return costs, benefits


def positions(
    cases: Sequence[PooledCase], players: Sequence[str], shares: Sequence[float]
) -> list[Position]:
    costs, benefits = costs_and_benefits(cases, players)
    return [
        Position(p, costs[p], benefits[p], float(x)) for p, x in zip(players, shares, strict=True)
    ]


def unknown_agencies(cases: Sequence[PooledCase], known: Sequence[str]) -> list[tuple[str, str]]:
    """(case, agency) for every agency a case names that is not an agency of the place."""
    place = set(known)
    return [(c.name, a) for c in cases for a in c.agencies if a not in place]
