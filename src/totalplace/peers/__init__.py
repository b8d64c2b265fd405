"""Benchmarking: a place's count per head beside its peers, nearest neighbours computed
from public metrics, published neighbour sets, spend against outcomes, trends, and the
national roll-up of published bottom-up counts."""

from totalplace.core.registry import Capability

CAPABILITY = Capability(
    name="peers",
    title="Benchmarking",
    order=85,
    router="totalplace.peers.web:router",
    commands="totalplace.peers.commands:app",
)
