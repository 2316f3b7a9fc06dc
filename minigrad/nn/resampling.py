"""Layers that change a tensor's shape: `Upsample`, `PixelShuffle`, `PixelUnshuffle`,
`Unflatten`, and channel dropout, `Dropout2d`."""

from __future__ import annotations

import math

from .. import functions
from ..errors import ShapeError, as_int, as_number
from ..ops.shape import normalize_dim
from ..tensor import Tensor
from . import functional as F
from .functional._activations import dropout_probability
from .module import Module

__all__ = ["Dropout2d", "PixelShuffle", "PixelUnshuffle", "Unflatten", "Upsample"]


class Upsample(Module):
    """Resize (N, C, *spatial) to `size` or by `scale_factor` with F.interpolate's modes
    ('nearest', 'bilinear', ...).

    >>> Upsample(scale_factor=2)(mg.zeros(1, 3, 4, 4)).shape
    Size([1, 3, 8, 8])
    """

    def __init__(
        self,
        size=None,
        scale_factor=None,
        mode: str = "nearest",
        align_corners: bool | None = None,
        recompute_scale_factor: bool | None = None,
    ):
        super().__init__()
        self.size = size
        if isinstance(scale_factor, (tuple, list)):
            self.scale_factor = tuple(
                float(as_number(f, "scale_factor", "Upsample")) for f in scale_factor
            )
        elif scale_factor is not None:
            self.scale_factor = float(as_number(scale_factor, "scale_factor", "Upsample"))
        else:
            self.scale_factor = None
        self.mode, self.align_corners = mode, align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, input: Tensor) -> Tensor:
        """F.interpolate with this layer's arguments."""
        return F.interpolate(
            input,
            self.size,
            self.scale_factor,
            self.mode,
            self.align_corners,
            recompute_scale_factor=self.recompute_scale_factor,
        )

    def extra_repr(self) -> str:
        given = (
            f"scale_factor={self.scale_factor!r}"
            if self.scale_factor is not None
            else (f"size={self.size!r}")
        )
        return f"{given}, mode={self.mode!r}"


class PixelShuffle(Module):
    """(*, C r^2, H, W) -> (*, C, H r, W r); see F.pixel_shuffle."""

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """F.pixel_shuffle(input, upscale_factor)."""
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """(*, C, H r, W r) -> (*, C r^2, H, W); see F.pixel_unshuffle."""

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input: Tensor) -> Tensor:
        """F.pixel_unshuffle(input, downscale_factor)."""
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"


class Unflatten(Module):
    """Split dim `dim` into `unflattened_size` (one entry may be -1): the inverse of Flatten.

    >>> Unflatten(1, (1, 28, 28))(mg.zeros(64, 784)).shape
    Size([64, 1, 28, 28])
    """

    def __init__(self, dim: int, unflattened_size):
        super().__init__()
        if not isinstance(unflattened_size, (tuple, list)):
            raise TypeError(
                "Unflatten: unflattened_size must be a tuple of ints, but found type "
                f"{type(unflattened_size).__name__}"
            )
        for i, n in enumerate(unflattened_size):
            if not isinstance(n, int) or isinstance(n, bool):
                raise TypeError(
                    "Unflatten: unflattened_size must be tuple of ints, but found element of "
                    f"type {type(n).__name__} at pos {i}"
                )
        self.dim = as_int(dim, "dim", "Unflatten")
        self.unflattened_size = tuple(unflattened_size)

    def forward(self, input: Tensor) -> Tensor:
        """input with dim split into unflattened_size (a reshape)."""
        if not isinstance(input, Tensor):
            raise TypeError(f"Unflatten: input must be a Tensor, got {type(input).__name__}")
        dim = normalize_dim(self.dim, input.ndim, "unflatten")
        sizes, n = list(self.unflattened_size), input.shape[dim]
        if sizes.count(-1) == 1:  # inferred from the others
            known = math.prod(s for s in sizes if s != -1)
            if known and n % known == 0:
                sizes[sizes.index(-1)] = n // known
        if math.prod(sizes) != n or any(s < 0 for s in sizes):
            raise ShapeError(
                f"unflatten: Provided sizes {list(self.unflattened_size)} don't multiply up to "
                f"the size of dim {self.dim} ({n}) in the input tensor"
            )
        return functions.reshape(input, input.shape[:dim] + tuple(sizes) + input.shape[dim + 1 :])

    def extra_repr(self) -> str:
        return f"dim={self.dim}, unflattened_size={self.unflattened_size}"


class Dropout2d(Module):
    """In training, zero whole channels of (N, C, H, W) with probability p (the rest scaled
    by 1/(1-p)); in eval mode, the identity. See F.dropout2d."""

    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        self.p = dropout_probability(p, "Dropout2d")
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        """Channels dropped and the rest rescaled in training mode, input itself in eval."""
        return F.dropout2d(input, self.p, self.training)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
