"""Run under `mpiexec -n N`: DistributedSampler's shards, from the process group's rank and
world size, are equally long, disjoint apart from the padding, and cover the dataset; a
DataLoader over it gives each rank its shard. Prints "rank R: ok"."""

import minigrad as mg
import minigrad.distributed as dist
from minigrad.data import DataLoader, DistributedSampler, TensorDataset

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
n = 10
for shuffle in (False, True):
    sampler = DistributedSampler(range(n), shuffle=shuffle, seed=7)
    sampler.set_epoch(3)
    mine = list(sampler)
    assert len(mine) == len(sampler) == -(-n // world)
    shards = [mg.zeros(len(mine), dtype=mg.int64) for _ in range(world)]
    dist.all_gather(shards, mg.tensor(mine))
    every = [i for shard in shards for i in shard.tolist()]
    assert sorted(set(every)) == list(range(n)), every  # all covered
    assert len(every) - len(set(every)) == len(mine) * world - n  # repeats: the padding only
    data = TensorDataset(mg.arange(n))
    loaded = [int(i) for (b,) in DataLoader(data, batch_size=2, sampler=sampler) for i in b]
    assert loaded == mine, (loaded, mine)
print(f"rank {rank}: ok", flush=True)
