"""Weight initialisers, as in `torch.nn.init`: each fills a tensor in place and returns it.

They write straight into `tensor.array`, so they work on Parameters without `no_grad()`, and
draw from the tensor's device generator, so `mg.manual_seed` makes them reproducible.

>>> w = nn.init.kaiming_uniform_(mg.empty(128, 784), a=math.sqrt(5))  # Linear's default
"""

from __future__ import annotations

import math

from .. import backend, dtypes, functions
from ..errors import OptionError, as_int, as_number, check_range
from ..functions import require_float, require_tensor
from ..tensor import Tensor

__all__ = [
    "calculate_gain",
    "constant_",
    "dirac_",
    "eye_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for a nonlinearity: relu sqrt(2), tanh 5/3, leaky_relu ..."""
    linear = (
        "linear",
        "conv1d",
        "conv2d",
        "conv3d",
        "conv_transpose1d",
        "conv_transpose2d",
        "conv_transpose3d",
        "sigmoid",
    )
    if nonlinearity in linear:
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(
                f"calculate_gain: param (negative_slope) {param!r} is not a valid number"
            )
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _gain(gain, op: str) -> float:
    gain = as_number(gain, "gain", op)
    if not 0 <= gain < math.inf:
        raise OptionError(f"{op}: gain must be a finite number >= 0, got {gain}")
    return gain


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """fan_in = shape[1] * receptive field, fan_out = shape[0] * receptive field."""
    require_tensor(tensor, "tensor", "init")
    if tensor.ndim < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor: Tensor, mode: str) -> int:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0) -> Tensor:
    """Fill with samples from U(a, b)."""
    require_tensor(tensor, "tensor", "uniform_")
    require_float(tensor, "tensor", "uniform_")
    return functions.inplace.fill_uniform(tensor, a, b, ("a", "b"), "uniform_")


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0) -> Tensor:
    """Fill with samples from N(mean, std**2)."""
    require_tensor(tensor, "tensor", "normal_")
    require_float(tensor, "tensor", "normal_")
    return functions.inplace.fill_normal(tensor, mean, std, "normal_")


def constant_(tensor: Tensor, val: float) -> Tensor:
    require_tensor(tensor, "tensor", "constant_")
    functions.inplace.fill(tensor, val, "val", "constant_")  # (no check for writability)
    return tensor


def zeros_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 0)


def ones_(tensor: Tensor) -> Tensor:
    return constant_(tensor, 1)


def xavier_uniform_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio, 2010)."""
    gain = _gain(gain, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor: Tensor, gain: float = 1.0) -> Tensor:
    """N(0, std**2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    gain = _gain(gain, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))


def kaiming_uniform_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al., 2015).

    `a` is the negative slope of the leaky_relu that follows; `nn.Linear` uses a=sqrt(5),
    which makes bound = 1 / sqrt(fan_in).
    """
    require_tensor(tensor, "tensor", "kaiming_uniform_")
    if tensor.numel() == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(
    tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu"
) -> Tensor:
    """N(0, std**2) with std = gain / sqrt(fan) (He et al., 2015)."""
    require_tensor(tensor, "tensor", "kaiming_normal_")
    if tensor.numel() == 0:
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0.0, std)


def trunc_normal_(
    tensor: Tensor,
    mean: float = 0.0,
    std: float = 1.0,
    a: float = -2.0,
    b: float = 2.0,
    generator=None,
) -> Tensor:
    """Fill with samples from N(mean, std**2) truncated to [a, b] (a and b are values, not
    multiples of std), as used for ViT and BERT weights.

    Drawn by rejection as PyTorch draws it, number for number: where [a, b] holds more than
    30% of the mass, whole normal draws, each keeping the values in [a, b] still missing;
    else uniform proposals on [a, b], accepted with probability pdf(x) / pdf(mode).

    >>> w = nn.init.trunc_normal_(mg.empty(1000), std=0.02, a=-0.04, b=0.04)
    >>> bool(w.abs().max() <= 0.04)
    True
    """
    op = "trunc_normal_"
    require_tensor(tensor, "tensor", op)
    require_float(tensor, "tensor", op)
    a, b = check_range(a, b, ("a", "b"), op)
    mean, std = as_number(mean, "mean", op), as_number(std, "std", op)
    if not std > 0:
        raise ValueError(f"{op}: std must be positive, got {std}")
    rng = functions.sampling.rng_of(generator, tensor.device, op)
    xp, shape, dtype, device = (
        backend.xp_of(tensor.array),
        tensor.shape,
        tensor.dtype,
        tensor.device,
    )
    mass = _norm_cdf((b - mean) / std) - _norm_cdf((a - mean) / std)
    if mass > 0.3:
        low, high = (float(backend.host_array(v, dtype)) for v in (a, b))  # (in tensor's dtype)
        result = backend.normal(device, shape, dtype, mean, std, rng=rng)
        while bool((outside := (result < low) | (result > high)).any()):
            result = xp.where(
                outside, backend.normal(device, shape, dtype, mean, std, rng=rng), result
            )
    else:
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2

        def rejected(x):  # log u > log(pdf(x) / pdf(mode)), as PyTorch computes it
            log_ratio = ((x - mean) / std) ** 2 * -0.5 - log_peak
            return xp.log(backend.uniform(device, shape, dtype, rng=rng)) > log_ratio

        result = backend.uniform(device, shape, dtype, a, b, rng=rng)
        pending = rejected(result)
        while bool(pending.any()):
            proposal = backend.uniform(device, shape, dtype, a, b, rng=rng)
            result = xp.where(pending, proposal, result)
            pending = xp.where(pending, rejected(proposal), pending)
    tensor.array[...] = result
    return tensor


def _norm_cdf(x: float) -> float:
    return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """Fill with a (semi-)orthogonal matrix times gain (Saxe et al., 2013): rows or columns
    orthonormal, whichever are fewer; dims after the first are flattened. From the QR of a
    normal matrix, with R's diagonal signs folded into Q so that Q is uniformly distributed.

    >>> w = nn.init.orthogonal_(mg.empty(3, 5))
    >>> np.allclose((w @ w.T).numpy(), np.eye(3), atol=1e-6)
    True
    """
    require_tensor(tensor, "tensor", "orthogonal_")
    require_float(tensor, "tensor", "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    gain = as_number(gain, "gain", "orthogonal_")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    rng = functions.sampling.rng_of(generator, tensor.device, "orthogonal_")
    # drawn in tensor's dtype as PyTorch draws it (so the stream after it is torch's too),
    # factored in float64
    drawn = backend.normal(tensor.device, (rows, cols), tensor.dtype, rng=rng)
    wide = drawn.astype(dtypes.float64)
    tall = wide.T if rows < cols else wide
    xp = backend.xp_of(tall)
    q, r = xp.linalg.qr(tall)
    q *= xp.sign(xp.diagonal(r))
    q = q.T if rows < cols else q
    tensor.array[...] = (q * gain).reshape(tensor.shape)
    return tensor


def eye_(tensor: Tensor) -> Tensor:
    """Fill a 2-d tensor with the identity matrix (ones on the main diagonal; a rectangular
    one too), so that a Linear layer starts by passing its input on.

    >>> nn.init.eye_(mg.empty(2, 3))
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    require_tensor(tensor, "tensor", "eye_")
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    xp = backend.xp_of(tensor.array)
    tensor.array[...] = xp.eye(*tensor.shape, dtype=tensor.dtype)
    return tensor


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """Fill a 3-, 4- or 5-d convolution weight (out, in, *kernel) with the Dirac delta: each
    output channel copies one input channel at the kernel's centre, so the convolution starts
    as the identity; with `groups`, within each group of out // groups channels.

    >>> nn.init.dirac_(mg.empty(2, 2, 3))[:, :, 1]
    tensor([[1., 0.],
            [0., 1.]])
    """
    require_tensor(tensor, "tensor", "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    groups = as_int(groups, "groups", "dirac_")
    if groups < 1 or tensor.shape[0] % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = tensor.shape[0] // groups
    centre = tuple(n // 2 for n in tensor.shape[2:])
    tensor.array[...] = 0
    for g in range(groups):
        for d in range(min(per_group, tensor.shape[1])):
            tensor.array[(g * per_group + d, d, *centre)] = 1
    return tensor
