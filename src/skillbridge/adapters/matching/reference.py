"""The pure-Python matching engine: exact, dependency-free, slow on large inputs.

It is the oracle the other engines are tested against and the last engine of the fallback chain. The
optimal assignment is a sparse min-cost flow (source -> learner -> mentor -> sink, plus a 0-cost
"unassigned" arc per learner) solved by successive shortest paths: learners are added one at a time and
each is routed along the cheapest augmenting path found by Dijkstra on reduced costs (Johnson potentials).
Costs are integers (``round(score * 2**48)``), so the search is exact and ties are broken by node order.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

from skillbridge.application.ports.matching_engine import MatchingEngine
from skillbridge.domain.matching.scoring import (
    Algorithm,
    Assignment,
    AssignmentResult,
    LearnerProfile,
    MentorProfile,
    Recommendation,
    ScoreComponents,
    Weights,
    score,
    validate_problem,
    validate_top_k,
)

_SCALE = float(2**48)

#: Eligible edges: for each learner, (mentor index, components).
Edges = list[list[tuple[int, ScoreComponents]]]


def eligible_edges(learners: Sequence[LearnerProfile], mentors: Sequence[MentorProfile], weights: Weights) -> Edges:
    """Every eligible pair, per learner, in mentor order."""
    edges: Edges = []
    for learner in learners:
        row: list[tuple[int, ScoreComponents]] = []
        for j, mentor in enumerate(mentors):
            components = score(learner, mentor, weights)
            if components.eligible:
                row.append((j, components))
        edges.append(row)
    return edges


class _Flow:
    """Residual network state of the successive-shortest-path solver.

    Nodes: learners ``0..n-1``, mentors ``n..n+m-1``, the sink ``n+m``. Residual arcs: learner -> mentor
    (not assigned there, cost -w), mentor -> learner (assigned there, cost +w), mentor -> sink (room left),
    learner -> sink (the learner is assigned and may be dropped; or the new learner stays unassigned).
    """

    def __init__(self, edges: Edges, capacities: Sequence[int]) -> None:
        self.n, self.m = len(edges), len(capacities)
        self.sink = self.n + self.m
        self.capacities = capacities
        self.weight = [{j: round(c.score * _SCALE) for j, c in row} for row in edges]
        self.match = [-1] * self.n
        self.members: list[list[int]] = [[] for _ in range(self.m)]
        self.potential = [0] * (self.n + self.m + 1)

    def arcs(self, u: int, source: int) -> list[tuple[int, int]]:
        n, match = self.n, self.match
        if u < n:
            out = [(self.sink, 0)] if match[u] >= 0 or u == source else []
            out.extend((n + j, -w) for j, w in self.weight[u].items() if j != match[u])
            return out
        j = u - n
        out = [(self.sink, 0)] if len(self.members[j]) < self.capacities[j] else []
        out.extend((i, self.weight[i][j]) for i in self.members[j])
        return out

    def add(self, source: int) -> None:
        """Route learner ``source`` along the cheapest augmenting path (possibly straight to "unassigned")."""
        potential, sink = self.potential, self.sink
        potential[source] = max([potential[sink], *(w + potential[self.n + j] for j, w in self.weight[source].items())])
        dist: dict[int, int] = {source: 0}
        parent: dict[int, int] = {}
        done: set[int] = set()
        heap = [(0, source)]
        found = 0
        while heap:
            d, u = heapq.heappop(heap)
            if u in done:
                continue
            done.add(u)
            if u == sink:
                found = d
                break
            for v, cost in self.arcs(u, source):
                nd = d + cost + potential[u] - potential[v]
                if v not in done and nd < dist.get(v, nd + 1):
                    dist[v] = nd
                    parent[v] = u
                    heapq.heappush(heap, (nd, v))
        # Early-stopped Dijkstra: min(d, D) keeps every reduced cost non-negative.
        for v in range(len(potential)):
            potential[v] += min(dist[v], found) if v in done else found
        self.augment(source, parent)

    def augment(self, source: int, parent: dict[int, int]) -> None:
        """Flip the path: it alternates learner -> mentor -> learner ... -> sink."""
        n, match, members = self.n, self.match, self.members
        v = self.sink
        while v != source:
            u = parent[v]
            if u < n:
                if match[u] >= 0:
                    members[match[u]].remove(u)
                    match[u] = -1
                if v != self.sink:
                    match[u] = v - n
                    members[v - n].append(u)
            v = u


def optimal_matching(edges: Edges, capacities: Sequence[int]) -> list[int]:
    """Mentor index per learner (-1 when unassigned) maximising the total score (exact, deterministic)."""
    flow = _Flow(edges, capacities)
    for source in range(flow.n):
        flow.add(source)
    return flow.match


def greedy_matching(edges: Edges, capacities: Sequence[int]) -> list[int]:
    """Pairs by score descending (ties: learner index, then mentor index) while both sides have room."""
    pairs = sorted((-c.score, i, j) for i, row in enumerate(edges) for j, c in row)
    load = [0] * len(capacities)
    match = [-1] * len(edges)
    for _, i, j in pairs:
        if match[i] < 0 and load[j] < capacities[j]:
            match[i] = j
            load[j] += 1
    return match


def build_result(
    learners: Sequence[LearnerProfile],
    mentors: Sequence[MentorProfile],
    edges: Edges,
    match: Sequence[int],
    algorithm: Algorithm,
    engine: str,
) -> AssignmentResult:
    """The result in learner input order, the total summed in that order."""
    assignments: list[Assignment] = []
    unassigned: list[str] = []
    total = 0.0
    for i, learner in enumerate(learners):
        j = match[i]
        if j < 0:
            unassigned.append(learner.id)
            continue
        components = next(c for jj, c in edges[i] if jj == j)
        assignments.append(Assignment(learner.id, mentors[j].id, components.score, components))
        total += components.score
    return AssignmentResult(tuple(assignments), tuple(unassigned), total, algorithm, engine)


def top_k(learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights) -> list[Recommendation]:
    """The k best eligible mentors (score descending, ties by mentor index) via a bounded heap."""
    scored = ((score(learner, mentor, weights), j) for j, mentor in enumerate(mentors))
    best = heapq.nsmallest(k, ((-c.score, j, c) for c, j in scored if c.eligible), key=lambda t: (t[0], t[1]))
    return [Recommendation(mentors[j].id, c.score, c) for _, j, c in best]


class ReferenceMatchingEngine(MatchingEngine):
    """Pure Python, exact and deterministic; never unavailable."""

    name = "reference"

    async def assign(
        self,
        learners: Sequence[LearnerProfile],
        mentors: Sequence[MentorProfile],
        weights: Weights,
        *,
        algorithm: Algorithm = "optimal",
    ) -> AssignmentResult:
        validate_problem(learners, mentors, weights)
        edges = eligible_edges(learners, mentors, weights)
        capacities = [mentor.capacity for mentor in mentors]
        solve = optimal_matching if algorithm == "optimal" else greedy_matching
        return build_result(learners, mentors, edges, solve(edges, capacities), algorithm, self.name)

    async def recommend(
        self, learner: LearnerProfile, mentors: Sequence[MentorProfile], k: int, weights: Weights
    ) -> list[Recommendation]:
        validate_top_k(learner, mentors, k, weights)
        return top_k(learner, mentors, k, weights)
