"""Path building: every candidate path from a certificate to a trust anchor, the best valid one kept.

One search serves ``verify`` (with the policy and anchors asked for) and the
chain choice of ``load``/``split``/``fetch`` (policy ``apim``, the input's own
roots as anchors), so the chain ``split`` writes is one ``verify`` accepts
whenever one exists.

The search walks issuers depth first, most likely first (as the graph lists
them: trust anchors, then a matching key identifier, then the latest end of
validity), and checks each candidate issuer against the rules as it adds it
(:mod:`certconv.trust._rules`), backtracking through cross-signs when a
candidate breaks one: the path through an expired or name-constrained
cross-sign is left for the other. Preference among valid paths: the one
needing the fewest leniencies of the policy (a SHA-1 cross-sign is left for a
SHA-256 one), then the shortest, then the first found. When none is valid, the path that got furthest: one that
reaches an anchor before one that does not, then the fewest failed rules, then
the longest.

Bounded: only issuers from which an anchor can be reached are walked (found
once by a pass over the graph), a valid path prunes every longer one and every
failing branch, and the number of steps is capped by ``budget`` (counted in
``WORK.search_steps`` by the caller). Name-constraint comparisons count in the
same budget (:data:`NAME_COMPARISONS_PER_STEP` of them make one step), and each
CA's verdict on each certificate below it is reached once per graph, not once
per path through them (:mod:`certconv._verify_names`). Without any anchor in reach the search
does not branch at all: it follows the first issuer up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

from ..base._enums import Leniency
from ._policy import Facts, Problem
from ._rules import Settings, check_certificate, check_issuer, check_path, check_peer

__all__ = ["MAX_DEPTH", "NAME_COMPARISONS_PER_STEP", "Node", "Outcome", "search", "searching_until"]

MAX_DEPTH = 16
"""Most certificates a path may have; real chains have 2 to 5."""

NAME_COMPARISONS_PER_STEP = 16
"""Name-constraint comparisons (a name against a constraint, or one label looked up) that cost one search step.

A step (one issuer added to a path, its rules checked) costs about as much as 16 comparisons; so a
certificate's 10,000 steps allow 160,000 comparisons and an input's 200,000 steps 3.2 million
(a few seconds), whatever the constraints and names."""


class Node(Protocol):
    """A certificate of the graph: its thumbprint, whether it is self-signed, its verified issuers."""

    @property
    def sha256(self) -> str: ...

    @property
    def self_signed(self) -> bool: ...

    @property
    def issuers(self) -> Sequence[Node]: ...

    @property
    def facts(self) -> Facts: ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """The path found for one certificate, and what it breaks.

    Attributes:
        path: Certificate under test first.
        problems: The rules it breaks under the policy; empty when ``valid``.
        used: Problems a leniency of the policy excused (``apim``), certificate by certificate.
        reached: The path ends at a trust anchor.
        cut: The step budget (or the deadline of :func:`searching_until`) ran out before every
            candidate was tried.
        steps: Search steps taken (name-constraint comparisons included).
        budget: The steps the search was allowed.
    """

    path: tuple[Node, ...]
    problems: tuple[Problem, ...]
    used: tuple[Problem, ...]
    reached: bool
    cut: bool
    steps: int
    budget: int = 0
    late: bool = False
    """The search was cut by the deadline of :func:`searching_until`, not by its budget."""

    @property
    def valid(self) -> bool:
        return self.reached and not self.problems

    @property
    def leniencies(self) -> tuple[Leniency, ...]:
        """The leniencies the path needs, each once, in the order first needed."""
        seen: dict[Leniency, None] = {}
        for problem in self.used:
            if problem.leniency is not None:
                seen.setdefault(problem.leniency, None)
        return tuple(seen)


_UNTIL: ContextVar[float | None] = ContextVar("certconv_search_until", default=None)


@contextmanager
def searching_until(deadline: float) -> Iterator[None]:
    """Path searches made inside stop at ``deadline`` (a ``time.monotonic()`` moment), as if out of budget.

    ``fetch`` and the doctor judge what a server sent within their deadline: the budget bounds the
    work, this bounds the time a slow machine spends on it.
    """
    token = _UNTIL.set(deadline)
    try:
        yield
    finally:
        _UNTIL.reset(token)


def search(peer: Node, anchors: AbstractSet[str], settings: Settings, *, budget: int) -> Outcome:
    """The best path from ``peer`` to one of ``anchors`` (SHA-256 thumbprints) under ``settings``."""
    return _Search(anchors, settings, budget).run(peer)


class _Search:
    def __init__(self, anchors: AbstractSet[str], settings: Settings, budget: int) -> None:
        self.anchors = anchors
        self.s = settings
        self.allows: Callable[[Leniency | None], bool] = settings.policy.allows
        self.budget = max(budget, 1)
        self.steps = 0
        self.compared = settings.tally.comparisons  # the comparisons made before this search
        self.until = _UNTIL.get()
        self.late = False
        self.cut = False
        self.best: Outcome | None = None
        self.best_key: tuple[int, ...] | None = None

    def run(self, peer: Node) -> Outcome:
        first = check_certificate(peer.facts, 0, self.s, anchor=peer.sha256 in self.anchors)
        first += check_peer(peer.facts, self.s)
        reach = _reaching(peer, self.anchors)
        if peer.sha256 in reach:
            self._walk([peer], {peer.sha256}, [first], reach)
        else:
            self._straight(peer, first)
        assert self.best is not None  # noqa: S101 - every walk finishes at least one path
        best = self.best
        spent = self._spent()
        return Outcome(best.path, best.problems, best.used, best.reached, self.cut, spent, self.budget, self.late)

    def _late(self) -> bool:
        if self.until is not None and time.monotonic() >= self.until:
            self.late = True
        return self.late

    def _spent(self) -> int:
        """Steps taken, name-constraint comparisons included."""
        return self.steps + (self.s.tally.comparisons - self.compared) // NAME_COMPARISONS_PER_STEP

    def _walk(self, path: list[Node], on_path: set[str], found: list[list[Problem]], reach: set[str]) -> None:
        self.steps += 1
        top = path[-1]
        if top.sha256 in self.anchors:
            self._finish(path, found, reached=True)
            return
        extended = False
        # Trust anchors first (stable: the graph's order stays within each group).
        for issuer in sorted(top.issuers, key=lambda i: i.sha256 not in self.anchors):
            if issuer.sha256 in on_path or issuer.sha256 not in reach or len(path) >= MAX_DEPTH:
                continue
            if self._spent() >= self.budget or self._late():
                self.cut = True
                break
            best = self.best
            if best is not None and best.valid and not best.used and len(path) + 1 >= len(best.path):
                continue  # a valid path at least as short, needing no leniency, is known
            anchor = issuer.sha256 in self.anchors
            facts = [n.facts for n in path] + [issuer.facts]
            index = len(path)
            new = check_certificate(issuer.facts, index, self.s, anchor=anchor)
            new += check_issuer(facts, index, self.s, anchor=anchor)
            if best is not None and best.valid and any(not self.allows(p.leniency) for b in (*found, new) for p in b):
                continue  # cannot become valid, and a valid path is known
            path.append(issuer)
            on_path.add(issuer.sha256)
            found.append(new)
            self._walk(path, on_path, found, reach)
            found.pop()
            on_path.discard(issuer.sha256)
            path.pop()
            extended = True
        if not extended:
            self._finish(path, found, reached=False)

    def _straight(self, peer: Node, first: list[Problem]) -> None:
        """No anchor in reach: one path, following the most likely issuer up until there is none."""
        path, found, seen = [peer], [first], {peer.sha256}
        self.steps += 1
        while len(path) < MAX_DEPTH:
            issuer = next((i for i in path[-1].issuers if i.sha256 not in seen), None)
            if issuer is None:
                break
            self.steps += 1
            index = len(path)
            path.append(issuer)
            seen.add(issuer.sha256)
            facts = [n.facts for n in path]
            found.append(check_certificate(issuer.facts, index, self.s, anchor=False))
            found[-1] += check_issuer(facts, index, self.s, anchor=False)
        self._finish(path, found, reached=False)

    def _finish(self, path: list[Node], found: list[list[Problem]], *, reached: bool) -> None:
        every = [p for batch in found for p in batch]
        every += check_path([n.facts for n in path], reached, self.s)
        failing = tuple(p for p in every if not self.allows(p.leniency))
        used = tuple(p for p in every if self.allows(p.leniency))
        valid = reached and not failing
        # Smaller is better: valid first (then needing fewer leniencies, then shorter); else reaching
        # an anchor, fewer failures, longer.
        key = (0, len(used), len(path)) if valid else (1, 0 if reached else 1, len(failing), -len(path))
        if self.best_key is None or key < self.best_key:
            self.best_key = key
            self.best = Outcome(tuple(path), failing, used, reached, False, 0)


def _reaching(peer: Node, anchors: AbstractSet[str]) -> set[str]:
    """Thumbprints of the certificates above ``peer`` (and ``peer``) from which an anchor can be reached."""
    above: dict[str, Node] = {peer.sha256: peer}
    todo = [peer]
    while todo:
        node = todo.pop()
        if node.sha256 in anchors:
            continue  # the search stops at an anchor: what is above it does not matter
        for issuer in node.issuers:
            if issuer.sha256 not in above:
                above[issuer.sha256] = issuer
                todo.append(issuer)
    below: dict[str, list[Node]] = {}
    for node in above.values():
        if node.sha256 not in anchors:
            for issuer in node.issuers:
                below.setdefault(issuer.sha256, []).append(node)
    reach = {sha for sha in above if sha in anchors}
    todo = [above[sha] for sha in reach]
    while todo:
        for child in below.get(todo.pop().sha256, ()):
            if child.sha256 not in reach:
                reach.add(child.sha256)
                todo.append(child)
    return reach
