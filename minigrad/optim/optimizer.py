"""`Optimizer`: parameter groups, per-parameter state, zero_grad and state_dict.

Subclasses implement `_update(group)`, which changes each parameter's array *in place*
(`p.array -= ...`): the Parameter objects a model holds stay the same, and no new parameter
arrays are made per step. Each update is its formula, written as a plain function of the
arrays and run by `Optimizer._in_blocks`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterable, Mapping
from itertools import chain

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import as_number, check_callable
from ..nn.module import zero_grads
from ..tensor import Tensor

__all__ = ["Optimizer"]

_ndarray = backend.numpy.ndarray
BLOCK_BYTES = 1 << 18  # the most an update works on at once: see `Optimizer._in_blocks`


class Optimizer:
    """Base class of SGD, Adam, AdamW, RMSprop and Adagrad.

    `params` is an iterable of tensors, of (name, tensor) pairs, or of dicts (parameter
    groups), each dict holding `"params"` and any per-group settings that override the
    defaults:

    >>> body, head = nn.Linear(3, 4), nn.Linear(4, 2)
    >>> groups = [{"params": body.parameters()}, {"params": head.parameters(), "lr": 0.1}]
    >>> opt = mg.optim.SGD(groups, lr=0.01, momentum=0.9)
    >>> [(group["lr"], group["momentum"]) for group in opt.param_groups]
    [(0.01, 0.9), (0.1, 0.9)]
    """

    def __init__(self, params: Iterable, defaults: dict) -> None:
        self.defaults = defaults
        self.state: dict[Tensor, dict] = {}
        self.param_groups: list[dict] = []
        if isinstance(params, Tensor) or not hasattr(params, "__iter__"):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, with settings that default to the optimizer's (as when
        unfreezing layers to fine-tune them). A parameter may be in one group only.

        >>> body, head = nn.Linear(3, 4), nn.Linear(4, 2)
        >>> opt = mg.optim.SGD(body.parameters(), lr=0.01, momentum=0.9)
        >>> opt.add_param_group({"params": head.parameters(), "lr": 0.1})
        >>> [(group["lr"], group["momentum"]) for group in opt.param_groups]
        [(0.01, 0.9), (0.1, 0.9)]
        """
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        if "params" not in group:  # (a KeyError, as in PyTorch)
            raise KeyError(
                f"param_group must have 'params', the tensors to optimize; got keys {list(group)}"
            )
        params = group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        params = list(params)
        named = [p for p in params if isinstance(p, tuple) and len(p) == 2]
        if named and len(named) != len(params):
            raise ValueError(
                "all optimizer params should be with/without names. Some param names are missing"
            )
        if named:
            group["param_names"] = [name for name, _ in params]
            params = [p for _, p in params]
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not p.is_leaf:
                raise ValueError(f"can't optimize a non-leaf Tensor (params[{i}])")
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        if len(params) != len(set(params)):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        if any(("param_names" in g) != ("param_names" in group) for g in self.param_groups):
            raise ValueError(
                "all optimizer param groups should be with/without names. cannot add param "
                f"group {'with' if 'param_names' in group else 'without'} names to the optimizer"
            )
        taken = set(chain.from_iterable(g["params"] for g in self.param_groups))
        if not taken.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of all parameters: to None (default), or to zeros in place."""
        zero_grads(_Params(self), set_to_none)

    def step(self, closure: Callable | None = None) -> object:
        """Update every parameter that has a gradient. `closure` (optional) re-evaluates the
        model and returns the loss, which step returns."""
        loss = None
        if closure is not None:
            check_callable(closure, "closure", "step")
            with grad_mode.enable_grad():
                loss = closure()
        if grad_mode.state.recorder is not None:  # mg.compile replays the update with the step
            grad_mode.state.recorder.call(_update_all, self)
        _update_all(self)
        return loss

    def _update(self, group: dict) -> None:
        raise NotImplementedError

    # ----- state_dict -------------------------------------------------------------------
    def state_dict(self) -> dict:
        """`{"state": {index: {...}}, "param_groups": [{..., "params": [index, ...]}]}`.

        Parameters are numbered in order across groups, as in PyTorch. The state tensors
        are the optimizer's own (not copies): save or copy them before stepping again.
        """
        index: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore state saved by `state_dict()` into an optimizer over the same parameters.

        Saved tensors are copied onto each parameter's device; floating ones (except
        `step`) are cast to the parameter's dtype. The saved group settings (lr, ...)
        replace the current ones.
        """
        saved_groups = copy.deepcopy(_saved_groups(state_dict))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for group, saved in zip(self.param_groups, saved_groups):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in self.param_groups),
            )
        )
        state = {}
        for key, value in _saved_state(state_dict).items():
            if key not in id_map:
                continue
            param = id_map[key]
            state[param] = {name: _cast(param, name, v) for name, v in value.items()}
        for group, saved in zip(self.param_groups, saved_groups):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.param_groups = saved_groups
        self.state = state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ----- for subclasses ---------------------------------------------------------------
    @staticmethod
    def _in_blocks(formula: Callable, *arrays, **settings) -> None:
        """formula(*arrays, **settings), run on matching blocks of at most BLOCK_BYTES each.

        `arrays` are a parameter's array and arrays shaped like it (or None); a block is a
        slice of rows along dim 0 (a view, whatever the strides), so the result is that of
        one call on the whole arrays. This is the optimizers' one performance trick. What it
        buys: the temporaries numpy makes while evaluating a formula are a block each, not a
        parameter each. Parameter-sized temporaries, made and freed at every step, make glibc
        give the heap back to the OS and fault it in again: training 784-128-10 on one fixed
        batch of 64 took 1.14 ms a step with SGD (164 page faults a step) and 1.89 ms with
        Adam (328), and 0.59 ms and 0.85 ms (no page faults) in blocks. (cupy's memory pool
        keeps what is freed: GPU arrays are updated whole, saving kernel launches.)
        """
        x = arrays[0]
        if x.nbytes <= BLOCK_BYTES or not isinstance(x, _ndarray):
            formula(*arrays, **settings)
            return
        count = min(x.shape[0], math.ceil(x.nbytes / BLOCK_BYTES))  # (x is not 0-d here)
        rows = math.ceil(x.shape[0] / count)  # rows per block: blocks of equal size
        for start in range(0, x.shape[0], rows):
            part = slice(start, start + rows)
            formula(*[None if a is None else a[part] for a in arrays], **settings)


class _Params:
    """An optimizer's parameters, in group order, as they are when iterated: what a replay of
    zero_grad (mg.compile) resets, a group added since the recording included."""

    def __init__(self, optimizer: Optimizer):
        self.optimizer = optimizer

    def __iter__(self):
        return chain.from_iterable(g["params"] for g in self.optimizer.param_groups)


def _update_all(optimizer: Optimizer) -> None:
    """Update each group's parameters: what `step` does, its settings read now."""
    for group in optimizer.param_groups:
        optimizer._update(group)


def check_hyperparameter(value, name: str, words: str, op: str, below=None) -> float:
    """A hyperparameter: a number >= 0 (and < `below`), refused in PyTorch's words."""
    value = as_number(value, name, op)
    if not value >= 0.0 or (below is not None and not value < below):
        raise ValueError(f"Invalid {words}: {value} ({op}: {name})")
    return value


def _saved_groups(state_dict) -> list:
    """state_dict["param_groups"], checked to be what `state_dict()` makes."""
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"state_dict must be a dict, got {type(state_dict).__name__}")
    for key in ("state", "param_groups"):
        if key not in state_dict:  # (a KeyError, as in PyTorch)
            raise KeyError(f"state_dict has no {key!r}; expected the keys of state_dict()")
    groups = state_dict["param_groups"]
    if not isinstance(groups, (list, tuple)) or not all(
        isinstance(g, Mapping) and isinstance(g.get("params"), (list, tuple)) for g in groups
    ):
        raise TypeError(
            "state_dict['param_groups'] must be a list of dicts, each with a list of 'params'"
        )
    return groups


def _saved_state(state_dict) -> Mapping:
    state = state_dict["state"]
    if not isinstance(state, Mapping) or not all(isinstance(v, Mapping) for v in state.values()):
        raise TypeError(
            "state_dict['state'] must be a dict of each parameter's state (a dict), got "
            f"{type(state).__name__}"
        )
    return state


def _cast(param: Tensor, name: str, value):
    """A copy of a saved state value, on the parameter's device (and dtype, for floats)."""
    if isinstance(value, Tensor) or backend.is_array(value):
        array = value.array if isinstance(value, Tensor) else value
        if name == "step":  # kept on the host, as PyTorch does, so reading it never syncs
            return Tensor._make(backend.to_host(array).copy(), False)
        array = backend.move(array, param.device)
        if dtypes.is_floating(array.dtype):
            array = array.astype(param.dtype, copy=False)
        if array is (value.array if isinstance(value, Tensor) else value):
            array = array.copy()
        return Tensor._make(array, False)
    return copy.deepcopy(value)
