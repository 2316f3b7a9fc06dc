"""`DistributedSampler`: each of `num_replicas` processes gets its own shard of the dataset,
as torch.utils.data.DistributedSampler deals them out.

Every rank draws the same epoch order (from `seed + epoch`, so `set_epoch` must be called with
the same epoch everywhere), pads it by repeating its start until it divides evenly (or, with
`drop_last`, cuts the tail), then takes every `num_replicas`-th index from its rank on: the
shards are disjoint, equally long, and together cover the dataset.
"""

from __future__ import annotations

import math
from collections.abc import Sized

from .. import backend, creation, distributed
from .sampler import Sampler, _iter_order, _sized


class DistributedSampler(Sampler):
    """Rank `rank`'s share of `dataset`, out of `num_replicas` (by default both from the
    process group, `minigrad.distributed`). Each yields `len(sampler)` indices an epoch.

    Without `drop_last` the order is padded with its first indices to a multiple of
    `num_replicas`; with it, the tail that does not divide evenly is dropped. With `shuffle`
    the order is a permutation seeded by `seed + epoch`: call `set_epoch(epoch)` before each
    epoch for a new one (the same on every rank).

    >>> [list(mg.data.DistributedSampler(range(7), 3, rank, shuffle=False)) for rank in range(3)]
    [[0, 3, 6], [1, 4, 0], [2, 5, 1]]
    """

    def __init__(
        self,
        dataset: Sized,
        num_replicas: int | None = None,
        rank: int | None = None,
        shuffle: bool = True,
        seed: int = 0,
        drop_last: bool = False,
    ):
        if num_replicas is None:
            num_replicas = distributed.get_world_size()
        if rank is None:
            rank = distributed.get_rank()
        if type(num_replicas) is not int or num_replicas < 1:
            raise ValueError(f"num_replicas must be a positive int, got {num_replicas!r}")
        if type(rank) is not int or not 0 <= rank < num_replicas:
            raise ValueError(
                f"Invalid rank {rank}, rank should be in the interval [0, {num_replicas - 1}]"
            )
        self.dataset = _sized(dataset, "DistributedSampler")
        self.num_replicas, self.rank = num_replicas, rank
        self.shuffle, self.seed, self.drop_last = shuffle, seed, drop_last
        self.epoch = 0
        n = len(dataset)
        if drop_last and n % num_replicas:
            self.num_samples = math.ceil((n - num_replicas) / num_replicas)
        else:
            self.num_samples = math.ceil(n / num_replicas)
        self.total_size = self.num_samples * num_replicas

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose order (with `shuffle`) the next iteration gives."""
        self.epoch = epoch

    def _order(self):
        n = len(self.dataset)
        if self.shuffle:
            order = backend.new_rng(backend.as_device("cpu"), self.seed + self.epoch).permutation(n)
        else:
            order = creation.arange(n).array
        if n and self.total_size > n:  # pad with the order's start, repeated as needed
            copies = math.ceil(self.total_size / n)
            order = backend.xp_of(order).concatenate([order] * copies)
        return order[: self.total_size][self.rank :: self.num_replicas]

    __iter__ = _iter_order

    def __len__(self) -> int:
        return self.num_samples
