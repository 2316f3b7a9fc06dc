"""What users call to cut, repeat and move tensors: chunk, split, unbind, narrow, movedim,
repeat, tile, repeat_interleave, flip and roll, with PyTorch's arguments and checks.

Cutting is slicing (ops.indexing's Getitem), moving dims is a permute; repeat, flip and roll
are ops of their own (ops.movement).
"""

from __future__ import annotations

import itertools

from .. import backend, dtypes
from ..autograd import grad_mode
from ..errors import DTypeError, OptionError, ShapeError, _described, as_int, as_size
from ..ops.indexing import Getitem
from ..ops.movement import Flip, Repeat, RepeatInterleave, Roll
from ..ops.shape import normalize_dim, shape_arg
from ..tensor import Tensor
from .shape import permute, reshape


def _given(args: tuple, keyword, name: str, op: str) -> tuple[int, ...]:
    """Sizes or dims given as f(2, 3), f((2, 3)), f([2, 3]) or f(name=(2, 3))."""
    if keyword is not None:
        if args:
            raise TypeError(f"{op}: {name} given both as positional arguments and by keyword")
        args = (keyword,)
    if not args:
        raise TypeError(f"{op}: missing the argument {name}")
    return shape_arg(args, op, name)


def _at_least_1d(x, op: str) -> None:
    if x.ndim == 0:
        raise ShapeError(f"{op}: expects a tensor with at least 1 dim, got a 0-d tensor")


def _pieces(x, axis: int, sizes: list[int], drop: bool = False) -> tuple:
    """x cut along `axis` into consecutive pieces of `sizes` (with that dim dropped: `drop`)."""
    if len(sizes) > 2 and x.requires_grad and grad_mode.state.grad_enabled:
        # Each piece's backward sends x a gradient of x's full size; cutting x in halves, and
        # those in halves, costs O(size * log(pieces)) in backward instead of O(size * pieces).
        half = len(sizes) // 2
        cut = sum(sizes[:half])
        front, back = _narrowed(x, axis, 0, cut), _narrowed(x, axis, cut, x.shape[axis])
        return _pieces(front, axis, sizes[:half], drop) + _pieces(back, axis, sizes[half:], drop)
    lead = (slice(None),) * axis
    starts = itertools.accumulate(sizes, initial=0)
    if drop:
        return tuple(Getitem.apply(x, key=(*lead, i)) for i in range(len(sizes)))
    return tuple(_narrowed(x, axis, start, start + n) for start, n in zip(starts, sizes))


def _narrowed(x, axis: int, start: int, stop: int):
    return Getitem.apply(x, key=(*(slice(None),) * axis, slice(start, stop)))


def chunk(input, chunks: int, dim: int = 0) -> tuple:
    """Cut into `chunks` pieces of ceil(size / chunks) along dim (the last may be smaller, and
    there may be fewer pieces), as PyTorch does.

    >>> [c.shape for c in mg.arange(5).chunk(3)]
    [Size([2]), Size([2]), Size([1])]
    """
    chunks = as_int(chunks, "chunks", "chunk")
    if chunks <= 0:
        raise OptionError(f"chunk: chunks must be greater than 0, got {chunks}")
    _at_least_1d(input, "chunk")
    axis = normalize_dim(dim, input.ndim, "chunk")
    n = input.shape[axis]
    if n == 0:  # PyTorch's rule: as many empty pieces as asked for
        return _pieces(input, axis, [0] * chunks)
    return _split_size(input, axis, -(-n // chunks), "chunk")  # (ceil(n / chunks))


def _split_size(x, axis: int, size: int, op: str) -> tuple:
    n = x.shape[axis]
    if size == 0 and n != 0:
        raise OptionError(f"{op}: split_size can only be 0 if the dim's size is 0, got size {n}")
    count = max(-(-n // size), 1) if size else 1
    return _pieces(x, axis, [size] * (count - 1) + [n - size * (count - 1)])


def split(tensor, split_size_or_sections=None, dim: int = 0, *, split_size=None) -> tuple:
    """Cut along dim into pieces of split_size (an int; the last piece may be smaller) or of
    the sizes listed (which must add up to the dim's size). `split_size` is the name Tensor's
    method gives split_size_or_sections.

    >>> [p.shape for p in mg.zeros(2, 5).split([1, 4], dim=1)]
    [Size([2, 1]), Size([2, 4])]
    """
    if split_size is not None:
        if split_size_or_sections is not None:
            raise TypeError("split: give split_size_or_sections or split_size, not both")
        split_size_or_sections = split_size
    if split_size_or_sections is None:
        raise TypeError("split: missing the argument split_size_or_sections")
    _at_least_1d(tensor, "split")
    sections = split_size_or_sections
    if not isinstance(sections, (list, tuple)):
        size = as_int(sections, "split_size_or_sections", "split")
        if size < 0:
            raise OptionError(f"split: split_size must be non-negative, got {size}")
        return _split_size(tensor, normalize_dim(dim, tensor.ndim, "split"), size, "split")
    axis = normalize_dim(dim, tensor.ndim, "split")
    sizes = shape_arg((sections,), "split", "split_size_or_sections")
    if any(n < 0 for n in sizes) or sum(sizes) != tensor.shape[axis]:
        raise OptionError(
            f"split: split_size_or_sections {list(sizes)} must be non-negative sizes adding up to "
            f"the size of dim {axis}, {tensor.shape[axis]}"
        )
    return _pieces(tensor, axis, list(sizes))


def unbind(input, dim: int = 0) -> tuple:
    """The slices along dim, each without that dim: unbind(x)[i] is x[i]."""
    if input.ndim == 0:
        raise IndexError("unbind: dim specified as 0 but input has no dimensions")
    axis = normalize_dim(dim, input.ndim, "unbind")
    return _pieces(input, axis, [1] * input.shape[axis], drop=True)


def narrow(input, dim: int, start: int, length: int) -> Tensor:
    """input[..., start:start + length, ...] along dim; a negative start counts from the end."""
    if input.ndim == 0:
        raise ShapeError("narrow: cannot be applied to a 0-d tensor")
    start, length = as_int(start, "start", "narrow"), as_int(length, "length", "narrow")
    if length < 0:
        raise OptionError(f"narrow: length must be non-negative, got {length}")
    axis = normalize_dim(dim, input.ndim, "narrow")
    n = input.shape[axis]
    if not -n <= start <= n:
        raise IndexError(f"narrow: start out of range (expected to be in [{-n}, {n}], got {start})")
    if start < 0:
        start += n
    if start + length > n:
        raise OptionError(
            f"narrow: start ({start}) + length ({length}) exceeds the size of dim {axis} ({n})"
        )
    return _narrowed(input, axis, start, start + length)


def movedim(input, source, destination) -> Tensor:
    """Move the dims `source` (an int or a sequence) to positions `destination`; the other
    dims keep their order.

    >>> mg.zeros(2, 3, 4).movedim(0, -1).shape
    Size([3, 4, 2])
    """
    ints = [not isinstance(d, (tuple, list)) for d in (source, destination)]
    if ints[0] != ints[1]:
        raise TypeError(
            f"movedim: source and destination must both be ints or both be sequences, got "
            f"{_described(source)} and {_described(destination)}"
        )
    moved = []
    for name, dims in (("source", source), ("destination", destination)):
        dims = [dims] if ints[0] else list(dims)
        axes = [normalize_dim(d, input.ndim, "movedim", name) for d in dims]
        if len(set(axes)) != len(axes):
            raise OptionError(f"movedim: repeated dim in {name} ({dims})")
        moved.append(axes)
    if len(moved[0]) != len(moved[1]):
        raise ShapeError(
            f"movedim: source ({len(moved[0])} dims) and destination ({len(moved[1])} dims) must "
            "name as many dims"
        )
    if input.ndim == 0:
        return input
    order = [d for d in range(input.ndim) if d not in moved[0]]
    for to, src in sorted(zip(moved[1], moved[0])):
        order.insert(to, src)
    return permute(input, order)


def moveaxis(input, source, destination) -> Tensor:
    """movedim's other name (numpy's)."""
    return movedim(input, source, destination)


def repeat(input, *sizes, repeats=None) -> Tensor:
    """input tiled: `x.repeat(2, 3)` stacks 2 copies along dim 0 and 3 along dim 1. More sizes
    than dims prepend dims of size 1 (np.tile's rule); fewer are an error. (Tensor.repeat;
    PyTorch has no torch.repeat, and repeat_interleave repeats each element.)

    >>> mg.tensor([1, 2]).repeat(2, 2)
    tensor([[1, 2, 1, 2],
            [1, 2, 1, 2]])
    """
    reps = _given(sizes, repeats, "repeats", "repeat")
    if len(reps) < input.ndim:
        raise ShapeError(
            f"repeat: the number of repeats ({len(reps)}) can not be smaller than the number of "
            f"dims of the tensor ({input.ndim})"
        )
    if any(r < 0 for r in reps):
        raise OptionError(f"repeat: repeats must be non-negative, got {reps}")
    return _repeated(input, reps, "repeat", "repeats")


def _repeated(input, reps: tuple[int, ...], op: str, name: str) -> Tensor:
    try:
        return Repeat.apply(input, reps=reps)
    except (ValueError, OverflowError):  # numpy cannot make an array of that shape
        raise OptionError(
            f"{op}: {name} {reps} make a tensor too large (input shape {input.shape})"
        ) from None


def tile(input, *args, dims=None) -> Tensor:
    """input repeated `dims` times along each dim, as repeat, except that fewer dims than
    input.ndim are padded with 1s in front (so tile(x, (2,)) repeats the last dim)."""
    reps = _given(args, dims, "dims", "tile")
    if any(r < 0 for r in reps):
        raise OptionError(f"tile: dims must be non-negative, got {reps}")
    reps = (1,) * (input.ndim - len(reps)) + reps
    return _repeated(input, reps, "tile", "dims") if reps else input


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Each element repeated `repeats` times in a row along dim (None: of the flattened input).

    repeats is an int, or an integer tensor with a count per element along dim (or one count).
    `repeat_interleave(counts)` alone gives arange(len(counts)) repeated by counts.
    output_size, if given, must be the result's size along dim.

    >>> mg.repeat_interleave(mg.tensor([1, 2]), 2)
    tensor([1, 1, 2, 2])
    >>> mg.repeat_interleave(mg.tensor([[1, 2], [3, 4]]), mg.tensor([1, 2]), dim=0)
    tensor([[1, 2],
            [3, 4],
            [3, 4]])
    """
    op = "repeat_interleave"
    if repeats is None:  # repeat_interleave(counts): the indices, repeated
        counts = _counts(input, None)
        index = _repeated_indices(counts)
        _check_output_size(output_size, index.size)
        return Tensor._make(index, False)
    axis = 0 if dim is None else normalize_dim(dim, input.ndim, op)
    if not isinstance(repeats, Tensor) and as_int(repeats, "repeats", op) < 0:
        raise OptionError(f"{op}: repeats must be non-negative, got {repeats}")
    if dim is None:
        input = reshape(input, (-1,))
    elif input.ndim == 0:
        raise IndexError(f"{op}: dim given, but input is a 0-d tensor (it has no dims)")
    n = input.shape[axis]
    if isinstance(repeats, Tensor) and repeats.numel() != 1:
        counts = backend.move(_counts(repeats, n), input.device)
        index = _repeated_indices(counts)
        _check_output_size(output_size, index.size)
        return Getitem.apply(input, key=(*(slice(None),) * axis, index))  # (an index_select)
    if isinstance(repeats, Tensor):
        _counts(repeats, 1)
    count = as_int(repeats, "repeats", op)
    if count < 0:
        raise OptionError(f"{op}: repeats must be non-negative, got {count}")
    _check_output_size(output_size, n * count)
    return RepeatInterleave.apply(input, repeats=count, dim=axis)


def _counts(repeats, n: int | None):
    """A tensor of repeat counts as an array: integers >= 0, one per element along the dim."""
    op = "repeat_interleave"
    if not isinstance(repeats, Tensor):
        raise TypeError(f"{op}: repeats must be an int or a Tensor, got {_described(repeats)}")
    if repeats.dtype.kind not in "iu":
        raise DTypeError(f"{op}: repeats must be an integer tensor, got {repeats.dtype}")
    if repeats.ndim > 1:
        raise ShapeError(f"{op}: repeats must be 0-d or 1-d, got shape {repeats.shape}")
    counts = repeats.array.reshape(-1)
    if n is not None and counts.size != n:
        raise ShapeError(
            f"{op}: repeats must have one count per element along dim ({n}), got {counts.size}"
        )
    if counts.size and int(counts.min()) < 0:
        raise OptionError(f"{op}: repeats must be non-negative, got {repeats.tolist()}")
    return counts


def _repeated_indices(counts):
    """arange(len(counts)) with each i repeated counts[i] times: output position p comes from
    the first i whose running total of counts passes p. (cupy's repeat takes no array of
    counts; this works on both.)"""
    xp = backend.xp_of(counts)
    ends = xp.cumsum(counts)
    total = int(ends[-1]) if ends.size else 0
    return xp.searchsorted(ends, xp.arange(total), side="right").astype(dtypes.int64)


def _check_output_size(output_size, size: int) -> None:
    if output_size is not None and as_size(output_size, "output_size", "repeat_interleave") != (
        size
    ):
        raise OptionError(
            f"repeat_interleave: output_size {output_size} does not match the size of the result "
            f"along dim ({size})"
        )


def flip(input, *args, dims=None) -> Tensor:
    """input with the order of its elements reversed along each of `dims`."""
    given = _given(args, dims, "dims", "flip")
    axes = tuple(normalize_dim(d, input.ndim, "flip", "dims") for d in given)
    if len(set(axes)) != len(axes):
        raise OptionError(f"flip: dims {given} names a dim more than once")
    return Flip.apply(input, dims=axes if input.ndim else ())


def roll(input, shifts, dims=None) -> Tensor:
    """input shifted by `shifts` places along `dims`, elements leaving one end coming back at
    the other; with dims None, along the flattened input (then back to input's shape)."""
    shifts = _ints(shifts, "shifts")
    if not shifts:
        raise OptionError("roll: shifts must not be empty")
    if dims is None:
        if len(shifts) != 1:
            raise ShapeError(f"roll: shifts and dims must align: got {len(shifts)} shifts, 0 dims")
        return Roll.apply(input, shifts=shifts, dims=None)
    given = _ints(dims, "dims")
    if input.ndim == 0:
        raise IndexError("roll: dims given, but input is a 0-d tensor (it has no dims)")
    axes = tuple(normalize_dim(d, input.ndim, "roll", "dims") for d in given)
    if len(axes) != len(shifts):
        raise ShapeError(
            f"roll: shifts and dims must align: got {len(shifts)} shifts, {len(axes)} dims"
        )
    return Roll.apply(input, shifts=shifts, dims=axes)


def _ints(value, name: str) -> tuple[int, ...]:
    values = value if isinstance(value, (list, tuple)) else (value,)
    return tuple(as_int(v, name, "roll") for v in values)
