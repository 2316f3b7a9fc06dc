"""`DistributedDataParallel`: one model copy per process, each on its share of the batch, and
the gradients averaged across the processes during backward, so every copy takes the same step.

The design is PyTorch's (and Horovod's). At construction the ranks check that their models
agree in shape, then take rank 0's parameters and buffers. The parameters, in reverse order
(roughly the order backward finishes their gradients), are packed into buckets of about
`bucket_cap_mb` (the first only 1 MiB, to start communicating early). A hook on each parameter
(the engine runs a leaf's hooks as soon as its gradient is complete) copies the gradient into
its bucket; a full bucket's all-reduce starts at once, non-blocking, while backward goes on to
the earlier layers. The hook of the last gradient waits for every bucket and writes the averages
back into the `.grad`s, so they are all in place when `backward()` returns. Buckets start in
the same order on every rank (MPI matches collectives by order).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from ... import backend, distributed
from ...autograd import grad_mode
from ...autograd.engine import entries_leading_to
from ...errors import _described
from ...tensor import Tensor
from ..module import Module

_FIRST_BUCKET_BYTES = 2**20  # PyTorch's: a small first bucket starts the all-reduces early


class _Bucket:
    """Gradients all-reduced together: their indices (into the DDP's parameter list) and one
    flat buffer holding them end to end."""

    def __init__(self, indices: list[int], params: list):
        self.indices = indices
        sizes = [params[i].numel() for i in indices]
        self.offsets = [sum(sizes[:k]) for k in range(len(sizes) + 1)]
        first = params[indices[0]].array
        self.flat = backend.xp_of(first).empty(self.offsets[-1], dtype=first.dtype)
        self.views = {
            i: self.flat[self.offsets[k] : self.offsets[k + 1]].reshape(params[i].shape)
            for k, i in enumerate(indices)
        }
        self.missing = 0  # gradients not yet in this step
        self.work = None


class DistributedDataParallel(Module):
    """Wrap `module` for data-parallel training: call it as the module, then `backward()`
    leaves in every parameter's `.grad` the mean over the ranks of their gradients.

    Each rank should feed a different part of the batch (`data.DistributedSampler`). The
    wrapped model is `.module`; its `state_dict()` loads into a plain model. Gradients are
    averaged only for a forward run with grad enabled outside `no_sync()`; a parameter that
    does not take part in the loss is an error at the next forward, unless
    `find_unused_parameters=True` (which walks the graph after each forward to find them).
    `broadcast_buffers` copies rank 0's buffers (BatchNorm's statistics) at each forward.

    >>> import minigrad.distributed as dist
    >>> dist.init_process_group()
    >>> model = nn.parallel.DistributedDataParallel(nn.Linear(3, 1))
    >>> model(mg.ones(2, 3)).sum().backward()  # one process: the mean is the gradient itself
    >>> model.module.weight.grad
    tensor([[2., 2., 2.]])
    >>> dist.destroy_process_group()
    """

    def __init__(
        self,
        module: Module,
        device_ids=None,
        *,
        broadcast_buffers: bool = True,
        init_sync: bool = True,
        process_group=None,
        bucket_cap_mb: float | None = None,
        find_unused_parameters: bool = False,
    ):
        super().__init__()
        if not isinstance(module, Module):
            raise TypeError(
                f"DistributedDataParallel: module must be a Module, got {_described(module)}"
            )
        if process_group is not None:
            raise ValueError("DistributedDataParallel: only the default process group exists")
        cap = 25 if bucket_cap_mb is None else bucket_cap_mb
        if isinstance(cap, bool) or not isinstance(cap, (int, float)) or not cap > 0:
            raise ValueError(f"DistributedDataParallel: bucket_cap_mb must be > 0, got {cap!r}")
        named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        if not named:
            raise RuntimeError(
                "DistributedDataParallel is not needed when a module doesn't have any parameter "
                "that requires a gradient."
            )
        _check_devices(device_ids, [p for _, p in named])
        self.module = module
        self.broadcast_buffers = broadcast_buffers
        self.find_unused_parameters = find_unused_parameters
        self.require_backward_grad_sync = True  # False inside no_sync()
        self._world = distributed.get_world_size()
        self._names = [n for n, _ in named]
        self._params = [p for _, p in named]
        _check_same_model(module)
        if init_sync:
            _broadcast_all([*module.parameters(), *module.buffers()])
        self._buckets, self._bucket_of = _assign_buckets(self._params, cap * 2**20)
        self._expecting = False  # a forward armed this step's reduction; backward not done
        self._ready = set()  # indices whose gradient is in its bucket this step
        self._hooked = 0  # of them, how many came through a hook (from a backward)
        self._next = 0  # the next bucket to start: in order, the same on every rank
        self._used = None  # find_unused_parameters: how many ranks used each parameter
        for i, p in enumerate(self._params):
            p.register_hook(_GradReady(self, i))

    def forward(self, *inputs, **kwargs) -> object:
        started = self._hooked or self._next or self._used is not None
        if self._expecting and started:  # a backward missed parameters, or never ran
            self._expecting = False
            raise RuntimeError(self._unused_message())
        if self.broadcast_buffers and self._world > 1:
            _broadcast_all(list(self.module.buffers()))
        armed = grad_mode.is_grad_enabled() and self.require_backward_grad_sync
        if armed and self._world > 1:
            for bucket in self._buckets:
                bucket.missing, bucket.work = len(bucket.indices), None
            self._ready, self._next, self._used, self._expecting = set(), 0, None, True
            self._hooked = 0
        else:
            self._expecting = False
        output = self.module(*inputs, **kwargs)
        if self._expecting and self.find_unused_parameters:
            self._mark_unused(output)
        return output

    @contextlib.contextmanager
    def no_sync(self) -> Iterator[None]:
        """Within it, backward only accumulates each rank's own gradients (no communication);
        the first backward after it averages the accumulated sums.

        >>> import minigrad.distributed as dist
        >>> dist.init_process_group()
        >>> model = nn.parallel.DistributedDataParallel(nn.Linear(3, 1))
        >>> with model.no_sync():
        ...     model(mg.ones(1, 3)).sum().backward()
        >>> model(mg.ones(1, 3)).sum().backward()
        >>> model.module.bias.grad
        tensor([2.])
        >>> dist.destroy_process_group()
        """
        saved, self.require_backward_grad_sync = self.require_backward_grad_sync, False
        try:
            yield
        finally:
            self.require_backward_grad_sync = saved

    def _gradient_ready(self, index: int, grad: Tensor) -> Tensor | None:
        """Parameter `index`'s gradient for this backward is complete (`grad`): into its
        bucket, with what `.grad` holds already (from no_sync steps), and on when full."""
        if not self._expecting or index in self._ready:
            return None
        param, view = self._params[index], self._bucket_of[index].views[index]
        if param.grad is None:
            view[...] = grad.array
        else:
            backend.xp_of(view).add(param.grad.array, grad.array, out=view)
        self._ready.add(index)
        self._hooked += 1
        self._bucket_done(self._bucket_of[index])
        if len(self._ready) < len(self._params):
            for bucket in self._buckets[: self._next]:  # let MPI progress the started ones
                bucket.work.is_completed()
            return None
        self._finish(skip=index)
        param.grad = None  # the engine stores the returned mean as this last .grad
        return Tensor.wrap(view)

    def _bucket_done(self, bucket: _Bucket) -> None:
        bucket.missing -= 1
        while self._next < len(self._buckets) and self._buckets[self._next].missing == 0:
            started = self._buckets[self._next]
            op = distributed.ReduceOp.AVG
            started.work = distributed.all_reduce(Tensor.wrap(started.flat), op, async_op=True)
            self._next += 1

    def _finish(self, skip: int) -> None:
        """Wait for every bucket; each `.grad` (but `skip`'s, still on its way) := the mean."""
        self._expecting = False
        for bucket in self._buckets:
            bucket.work.wait()
        used = None
        if self._used is not None:
            self._used.wait()
            used = self._used_counts.array
        for i, param in enumerate(self._params):
            if i == skip or (used is not None and used[i] == 0):
                continue  # (a parameter no rank used keeps the .grad it had)
            view = self._bucket_of[i].views[i]
            if param.grad is None:
                param.grad = Tensor.wrap(view.copy())
            else:
                param.grad.array[...] = view

    def _mark_unused(self, output) -> None:
        """find_unused_parameters: the parameters the output does not depend on count as
        ready now (a zero gradient, or what no_sync accumulated); ranks agree on who used what."""
        reached = {
            id(x)
            for entry in entries_leading_to(_tensors_in(output))
            for x in entry.inputs
            if isinstance(x, Tensor) and x.grad_fn is None
        }
        flags = [int(id(p) in reached) for p in self._params]
        self._used_counts = Tensor.wrap(backend.host_array(flags, dtype="int64"))
        self._used = distributed.all_reduce(self._used_counts, async_op=True)
        for i, p in enumerate(self._params):
            if not flags[i]:
                view = self._bucket_of[i].views[i]
                view[...] = 0 if p.grad is None else p.grad.array
                self._ready.add(i)
                self._bucket_done(self._bucket_of[i])

    def _unused_message(self) -> str:
        missing = [n for i, n in enumerate(self._names) if i not in self._ready]
        return (
            "Expected to have finished reduction in the prior iteration before starting a new "
            "one. This error indicates that your module has parameters that were not used in "
            "producing loss. You can enable unused parameter detection by passing the keyword "
            "argument `find_unused_parameters=True` to `DistributedDataParallel`, and by making "
            "sure all `forward` function outputs participate in calculating loss (or a forward "
            "was not followed by its backward). Parameters which did not receive grad for rank "
            f"{distributed.get_rank()}: {', '.join(missing)}"
        )


class _GradReady:
    """The hook on parameter `index`: tells its DistributedDataParallel the gradient is in."""

    def __init__(self, ddp: DistributedDataParallel, index: int):
        self.ddp, self.index = ddp, index

    def __call__(self, grad: Tensor) -> Tensor | None:
        return self.ddp._gradient_ready(self.index, grad)


def _assign_buckets(params: list, cap_bytes: float) -> tuple[list, dict]:
    """Buckets of parameters in reverse order, one dtype and device each; a bucket closes once
    it holds `cap_bytes` (the first, at most 1 MiB)."""
    buckets, open_ = [], {}  # (dtype, device) -> indices of the bucket being filled
    sizes = {}
    for i in reversed(range(len(params))):
        key = (params[i].dtype, str(params[i].device))
        open_.setdefault(key, []).append(i)
        sizes[key] = sizes.get(key, 0) + params[i].array.nbytes
        if sizes[key] >= (min(_FIRST_BUCKET_BYTES, cap_bytes) if not buckets else cap_bytes):
            buckets.append(open_.pop(key))
            sizes[key] = 0
    buckets += open_.values()
    made = [_Bucket(indices, params) for indices in buckets]
    return made, {i: bucket for bucket in made for i in bucket.indices}


def _check_same_model(module: Module) -> None:
    """Every rank's model has the same parameters and buffers (names, shapes, dtypes); else a
    RuntimeError that names the first difference."""
    tensors = [*module.named_parameters(), *module.named_buffers()]
    mine = "\n".join(f"{n} {tuple(t.shape)} {t.dtype}" for n, t in tensors).encode()
    lengths = [Tensor.wrap(backend.host_array([0])) for _ in range(distributed.get_world_size())]
    distributed.all_gather(lengths, Tensor.wrap(backend.host_array([len(mine)])))
    longest = max(int(t.array[0]) for t in lengths)
    padded = backend.host_array(list(mine.ljust(longest)), dtype="uint8")
    gathered = [Tensor.wrap(padded.copy()) for _ in lengths]
    distributed.all_gather(gathered, Tensor.wrap(padded))
    models = [bytes(t.array.tolist()).decode().rstrip().split("\n") for t in gathered]
    for rank, model in enumerate(models[1:], start=1):
        if model != models[0]:
            diff = next(
                (a, b) for a, b in zip(model + ["(none)"], models[0] + ["(none)"]) if a != b
            )
            raise RuntimeError(
                f"DistributedDataParallel: the model differs across ranks: rank {rank} has "
                f"{diff[0]!r} where rank 0 has {diff[1]!r} ({len(model)} and {len(models[0])} "
                "parameters and buffers); every rank must build the same model"
            )


def _broadcast_all(tensors: list) -> None:
    """Rank 0's values into every rank's `tensors`, all started before any is waited for."""
    works = [distributed.broadcast(t, src=0, async_op=True) for t in tensors]
    for work in works:
        work.wait()


def _check_devices(device_ids, params: list) -> None:
    devices = {str(p.device) for p in params}
    if device_ids is None:
        return
    if devices == {"cpu"} or len(device_ids) != 1 or devices != {f"cuda:{device_ids[0]}"}:
        raise ValueError(
            "DistributedDataParallel device_ids must be None for a CPU module, or the one GPU "
            f"its parameters are on; got device_ids {device_ids} for parameters on {devices}"
        )


def _tensors_in(output) -> list:
    """The tensors with a graph in a forward's output (tensors, tuples, lists, dicts)."""
    if isinstance(output, Tensor):
        return [output] if output.grad_fn is not None else []
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (list, tuple)):
        return [t for item in output for t in _tensors_in(item)]
    return []
