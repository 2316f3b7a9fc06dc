"""How a tensor prints: `repr(t)` as PyTorch writes it, and `mg.set_printoptions`.

The layout is PyTorch's (torch/_tensor_str.py): one width for every element, scientific
notation when the magnitudes span more than 1000x, exceed 1e8 or go below 1e-4 (unless
sci_mode says), floats that are all whole numbers printed as `1.`, and past `threshold`
elements only `edgeitems` at each end of each dim, the rest shown as `...`. The print options
are process-wide, as PyTorch's are (and numpy's): they are settings, not a mode of a thread.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator

from .. import backend, dtypes
from ..errors import OptionError, _described, as_int, as_number
from ..tensor import Tensor
from .convert import default_device


@dataclasses.dataclass
class _Options:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}
_options = _Options()


def set_printoptions(
    precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None
) -> None:
    """Set how tensors print, as torch.set_printoptions: `precision` digits after the point
    (4), `threshold` elements past which a tensor is summarised (1000), `edgeitems` shown at
    each end of a summarised dim (3), `linewidth` characters per line (80), `profile` one of
    'default', 'short' (precision 2, edgeitems 2) and 'full' (never summarised), applied
    first; `sci_mode` True or False forces scientific notation on or off, None (what every
    call without it sets) lets the values decide.

    >>> mg.set_printoptions(precision=2)
    >>> mg.tensor([1.12345])
    tensor([1.12])
    >>> mg.set_printoptions(profile="default")
    """
    op = "set_printoptions"
    changes = {}
    if profile is not None:
        if not isinstance(profile, str) or profile not in _PROFILES:
            raise OptionError(f"{op}: profile must be one of {sorted(_PROFILES)}, got {profile!r}")
        changes.update(_PROFILES[profile])
    for name, value in (
        ("precision", precision),
        ("edgeitems", edgeitems),
        ("linewidth", linewidth),
    ):
        if value is not None:
            changes[name] = as_int(value, name, op)
            if changes[name] < 0:
                raise OptionError(f"{op}: {name} must be non-negative, got {value}")
    if threshold is not None:
        changes["threshold"] = as_number(threshold, "threshold", op)
    if sci_mode is not None and not isinstance(sci_mode, bool):
        raise TypeError(f"{op}: sci_mode must be a bool or None, got {_described(sci_mode)}")
    changes["sci_mode"] = sci_mode
    for name, value in changes.items():  # (only once every value is checked)
        setattr(_options, name, value)


def get_printoptions() -> dict:
    """The current print options, as keyword arguments for set_printoptions."""
    return dataclasses.asdict(_options)


@contextlib.contextmanager
def printoptions(**options) -> Iterator[None]:
    """Print with `options` (set_printoptions's) inside the `with` block only."""
    saved = get_printoptions()
    set_printoptions(**options)
    try:
        yield
    finally:
        set_printoptions(**saved)


class _Formatter:
    """One width and one notation for every element of a tensor (PyTorch's _Formatter),
    chosen from `values`, the elements that will be shown (Python numbers)."""

    def __init__(self, values: list, floating: bool):
        self.floating, self.int_mode, self.sci_mode, self.width = floating, True, False, 1
        if not floating:
            self.width = max((len(str(v)) for v in values), default=1)
            return
        finite = [v for v in values if math.isfinite(v) and v != 0]
        if not finite:
            return
        low, high = min(abs(v) for v in finite), max(abs(v) for v in finite)
        self.int_mode = all(v == math.ceil(v) for v in finite)
        automatic = high / low > 1000.0 or high > 1.0e8 or low < 1.0e-4
        self.sci_mode = automatic if _options.sci_mode is None else _options.sci_mode
        p = _options.precision
        if self.sci_mode:
            self.width = max(len(f"{v:.{p}e}") for v in finite)
        elif self.int_mode:  # (+1 for the point that marks them as floats)
            self.width = max(len(f"{v:.0f}") + 1 for v in finite)
        else:
            self.width = max(len(f"{v:.{p}f}") for v in finite)

    def format(self, value) -> str:
        p = _options.precision
        if not self.floating:
            text = str(value)
        elif self.sci_mode:
            text = f"{value:{self.width}.{p}e}"
        elif self.int_mode:
            text = f"{value:.0f}" + ("" if math.isinf(value) or math.isnan(value) else ".")
        else:
            text = f"{value:.{p}f}"
        return text.rjust(self.width)


def _shown(values, summarize: bool) -> list:
    """The elements a print shows, as Python numbers: all of them, or when summarised
    `edgeitems` at each end of every dim."""
    edge = _options.edgeitems
    if not summarize or values.ndim == 0:
        return values.reshape(-1).tolist()
    n = values.shape[0]
    rows = range(n) if n <= 2 * edge else [*range(edge), *range(n - edge, n)]
    if values.ndim == 1:
        return [values[i].item() for i in rows]
    return [v for i in rows for v in _shown(values[i], summarize)]


def _text(values, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """The nested brackets of `values` (PyTorch's _tensor_str_with_formatter)."""
    edge = _options.edgeitems
    if values.ndim == 0:
        return formatter.format(values.item())
    cut = summarize and values.shape[0] > 2 * edge
    if values.ndim == 1:
        per_line = max(1, math.floor((_options.linewidth - indent) / (formatter.width + 2)))
        if summarize and not edge:
            items = ["..."]
        elif cut:
            head, tail = values[:edge].tolist(), values[values.shape[0] - edge :].tolist()
            items = [*map(formatter.format, head), " ...", *map(formatter.format, tail)]
        else:
            items = [formatter.format(v) for v in values.tolist()]
        lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
        return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"
    if cut:
        rows = [*range(edge), None, *range(values.shape[0] - edge, values.shape[0])]
    else:
        rows = range(values.shape[0])
    parts = [
        "..." if i is None else _text(values[i], indent + 1, summarize, formatter) for i in rows
    ]
    return "[" + ("," + "\n" * (values.ndim - 1) + " " * (indent + 1)).join(parts) + "]"


def tensor_repr(t: Tensor) -> str:
    """`repr(t)`, as PyTorch prints it: tensor([1., 2.], dtype=..., grad_fn=<...>)."""
    host = backend.to_host(t.array)
    suffixes = []
    if t.device != default_device():
        suffixes.append(f"device='{t.device}'")
    if host.size == 0:
        body = "[]"
        if host.ndim != 1:
            suffixes.append(f"size={tuple(host.shape)}")
        if t.dtype != dtypes.get_default_dtype():
            suffixes.append(f"dtype={t.dtype}")
    else:
        summarize = host.size > _options.threshold
        formatter = _Formatter(_shown(host, summarize), host.dtype.kind == "f")
        body = _text(host, len("tensor("), summarize, formatter)
        if not _options.edgeitems:
            suffixes.append(f"size={tuple(host.shape)}")
        if t.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
            suffixes.append(f"dtype={t.dtype}")
    if t.grad_fn is not None:
        suffixes.append(f"grad_fn=<{t.grad_fn.name}>")
    elif t.requires_grad:
        suffixes.append("requires_grad=True")
    return _with_suffixes("tensor(" + body, suffixes)


def _with_suffixes(text: str, suffixes: list[str]) -> str:
    """text, each suffix after ', ' or on a line of its own past linewidth, then ')'."""
    indent, parts = len("tensor("), [text]
    last = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if last + len(suffix) + 2 > _options.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last += len(suffix) + 2
    return "".join(parts) + ")"


def tensor_format(t: Tensor, format_spec: str) -> str:
    """`format(t, spec)`, as PyTorch's Tensor.__format__: a 0-d tensor formats as its Python
    number (f"{loss:.4f}"); any other tensor takes only the empty spec, printing as str(t).

    >>> f"{mg.tensor(0.123456):.3f}"
    '0.123'
    """
    if t.ndim == 0 and type(t) is Tensor:
        return t.item().__format__(format_spec)
    return object.__format__(t, format_spec)
