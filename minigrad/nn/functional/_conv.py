"""Convolution: `conv1d`, `conv2d`, `conv_transpose1d`, `conv_transpose2d`, each one tape entry.

How a convolution is computed here (im2col). For an input x (N, C, H, W) and a weight
w (K, C, kh, kw), every output pixel is the dot product of w with one kh x kw window of x:

1. Pad x with zeros (`padding`), then take *every window at once* as a strided view
   (`backend.windows`, numpy's `as_strided`): a (N, C, kh, kw, Ho, Wo) array that shares x's
   memory. Copying it gives the column buffer, `cols` (C*kh*kw, N*Ho*Wo): one column per
   output pixel of every sample, holding the window under it; the only large array kept for
   backward.
   (With stride 1 along rows, _im2col.py lays the columns out "wide", Ho*Wp of them, so that
   every copy and every fold step runs over contiguous memory; the output drops the extra
   kw - 1 columns per row.)
2. One matrix product does the rest: w viewed as (K, C*kh*kw) times cols is (K, N*Ho*Wo),
   the output with its first two dims swapped (one copy puts it as (N, K, Ho, Wo)). One BLAS
   GEMM for the whole batch: no Python loop over pixels or batch items.
3. Backward, with G = dL/dy as (K, N*Ho*Wo):
   - dL/dw = G @ cols^T (the columns saved by the forward), summing over samples and pixels
     in the one product;
   - dL/db = G summed over samples and pixels;
   - dL/dx: first dL/dcols = w^T @ G (C*kh*kw, N*Ho*Wo), then each column is added back
     onto the window it came from ("fold", col2im): a loop over the kh*kw kernel offsets,
     each adding one strided slice. On the last backward through the entry, dL/dcols is
     written into the column buffer itself, and the entry is freed after it: one column
     buffer per call, released by backward.
   `groups` splits C and K into G independent convolutions (a batch dim of the products);
   depthwise is groups = C. Stride and dilation are only strides of the view.

Under create_graph the gradients are built from three ops that differentiate each other:
conv(x, w), conv_transpose(g, w) = dL/dx and conv_weight(x, g) = dL/dw (each is bilinear, and
the derivative of each in one argument is another of the three), so gradients of gradients
work to any order. A transposed convolution is exactly the backward of a convolution with
respect to its input, and is computed that way.
"""

from __future__ import annotations

import math

from ... import backend, ops
from ...autograd.engine import Function
from ...errors import OptionError, ShapeError, as_int
from ...tensor import Tensor
from ._common import _require_tensor
from ._im2col import Geometry, columns, crop, fold, spread
from ._spatial import (
    check_kernel_fits,
    ntuple,
    same_dtype,
    spatial_input,
    window_count,
)

__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]


def _batch(a, geo: Geometry):
    return a if geo.batched else a[None]


def _unbatch(a, geo: Geometry):
    return a if geo.batched else a[0]


def _grouped(weight, geo: Geometry):
    """w (K, C/G, *kernel) as G matrices (G, K/G, C/G * kernel size)."""
    k, cg = weight.shape[:2]
    return weight.reshape(geo.groups, k // geo.groups, cg * math.prod(geo.kernel))


def _bias_dims(geo: Geometry) -> tuple:
    spatial = tuple(range(1 + geo.batched, 1 + geo.batched + len(geo.size)))
    return ((0,) if geo.batched else ()) + spatial


def _add_bias(y, bias, spatial: int):
    if bias is not None:
        y += bias.reshape(bias.shape + (1,) * spatial)
    return y


class Conv(Function):
    """y = conv(x, w) + b, by im2col and one matrix product (see the module's docstring)."""

    def forward(self, x, weight, bias, geo):
        self.geo = geo
        x = _batch(x, geo)
        self.cols = cols = columns(x, geo)
        y = crop(backend.xp_of(x).matmul(_grouped(weight, geo), cols), geo, x.shape[0])
        return _unbatch(_add_bias(y, bias, len(geo.out)), geo)  # (N, K, *out)

    def backward(self, g, x, weight, bias):
        geo = self.geo
        need_x, need_w, need_b = self.needs_input_grad
        if not backend.is_array(g):  # create_graph: from ops that are differentiable again
            return (
                ConvTranspose.apply(g, weight, None, geo=geo) if need_x else None,
                ConvWeight.apply(x, g, geo=geo) if need_w else None,
                ops.sum(g, _bias_dims(geo)) if need_b else None,
            )
        xp, cols = backend.xp_of(g), self.cols
        g4 = spread(_batch(g, geo), geo)  # (G, K/G, N * positions)
        grad_x = grad_w = grad_b = None
        if need_w:  # dL/dw = G cols^T: the sum over samples and pixels in one product
            grad_w = xp.matmul(g4, cols.swapaxes(-1, -2)).reshape(weight.shape)
        if need_b:  # dL/db = G summed over samples and pixels
            grad_b = g.sum(axis=_bias_dims(geo))
        if need_x:  # dL/dcols = w^T G, folded back onto the windows; in cols on its last use
            w_t = _grouped(weight, geo).swapaxes(-1, -2)
            dcols = xp.matmul(w_t, g4, out=cols if self.last_use else None)
            grad_x = _unbatch(fold(dcols, geo, _batch(g, geo).shape[0]), geo)
        return grad_x, grad_w, grad_b


class ConvTranspose(Function):
    """z = conv_transpose(g, w) + b: the gradient of conv(., w) at g, computed as conv's
    backward computes it (w^T g, folded). w has conv's layout (K, C/G, *kernel); g is
    (N, K, *out) and z (N, C, *size)."""

    def forward(self, g, weight, bias, geo):
        self.geo = geo
        g = _batch(g, geo)
        dcols = backend.xp_of(g).matmul(_grouped(weight, geo).swapaxes(-1, -2), spread(g, geo))
        return _unbatch(_add_bias(fold(dcols, geo, g.shape[0]), bias, len(geo.size)), geo)

    def backward(self, gz, g, weight, bias):
        geo = self.geo
        need_g, need_w, need_b = self.needs_input_grad
        return (
            Conv.apply(gz, weight, None, geo=geo) if need_g else None,
            ConvWeight.apply(gz, g, geo=geo) if need_w else None,
            ops.sum(gz, _bias_dims(geo)) if need_b else None,
        )


class ConvWeight(Function):
    """dL/dw of conv(x, w) given G = dL/dy: sum over samples of G cols(x)^T."""

    def forward(self, x, g, geo):
        self.geo = geo
        cols = columns(_batch(x, geo), geo)
        g4 = spread(_batch(g, geo), geo)
        grad = backend.xp_of(x).matmul(g4, cols.swapaxes(-1, -2))  # (G, K/G, C/G * kernel)
        k, c = g4.shape[0] * g4.shape[1], cols.shape[0] * cols.shape[1] // math.prod(geo.kernel)
        return grad.reshape((k, c // geo.groups) + tuple(geo.kernel))

    def backward(self, gw, x, g):
        geo = self.geo
        need_x, need_g = self.needs_input_grad
        return (
            ConvTranspose.apply(g, gw, None, geo=geo) if need_x else None,
            Conv.apply(x, gw, None, geo=geo) if need_g else None,
        )


# ----- what users call: PyTorch's arguments and checks -----------------------------------------
def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """1-d convolution (cross-correlation, as in PyTorch): input (N, C, L) or (C, L), weight
    (K, C/groups, k), bias (K,) -> (N, K, L_out). See conv2d for the arguments.

    >>> conv1d(mg.ones(1, 1, 5), mg.ones(1, 1, 3)).tolist()
    [[[3.0, 3.0, 3.0]]]
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    dilation=1,
    groups: int = 1,
) -> Tensor:
    """2-d convolution (cross-correlation, as in PyTorch), one tape entry.

    input (N, C, H, W) or unbatched (C, H, W); weight (K, C/groups, kh, kw); bias (K,) or
    None. stride, dilation: an int or a pair; padding: an int, a pair, 'valid' (0) or 'same'
    (the output keeps the input's size; stride 1 only; an odd total puts the extra row and
    column at the end). Output (N, K, Ho, Wo), Ho = (H + 2 ph - dh (kh - 1) - 1) // sh + 1.

    >>> conv2d(mg.ones(1, 1, 4, 4), mg.ones(2, 1, 3, 3), padding=1).shape
    Size([1, 2, 4, 4])
    """
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """1-d transposed convolution: input (N, C_in, L), weight (C_in, C_out/groups, k); see
    conv_transpose2d."""
    return _conv_transpose(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        1,
        "conv_transpose1d",
    )


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride=1,
    padding=0,
    output_padding=0,
    groups: int = 1,
    dilation=1,
) -> Tensor:
    """2-d transposed convolution ("deconvolution"): the gradient of conv2d with respect to
    its input, as a layer. input (N, C_in, H, W) or (C_in, H, W); weight (C_in, C_out/groups,
    kh, kw); output (N, C_out, Ho, Wo) with Ho = (H - 1) sh - 2 ph + dh (kh - 1) +
    output_padding + 1 (output_padding < stride or < dilation picks among the sizes that a
    strided conv2d maps to H).

    >>> conv_transpose2d(mg.ones(1, 1, 2, 2), mg.ones(1, 1, 3, 3), stride=2).shape
    Size([1, 1, 5, 5])
    """
    return _conv_transpose(
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        2,
        "conv_transpose2d",
    )


def conv_padding(padding, kernel: tuple, stride: tuple, dilation: tuple, op: str) -> tuple:
    """padding as ((before, after), ...): from an int, a tuple, 'valid' or 'same'."""
    if isinstance(padding, str):
        if padding == "valid":
            return ((0, 0),) * len(kernel)
        if padding != "same":
            raise ValueError(
                f"{op}: invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
            )
        if any(s != 1 for s in stride):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation)]
        return tuple((t // 2, t - t // 2) for t in totals)
    return tuple((p, p) for p in ntuple(padding, len(kernel), "padding", op))


def _groups(groups, op: str) -> int:
    groups = as_int(groups, "groups", op)
    if groups < 1:
        raise OptionError(f"{op}: non-positive groups is not supported, got groups={groups}")
    return groups


def _check_weight(op: str, input, weight, bias, groups: int, dims: int, transposed: bool):
    _require_tensor(weight, "weight", op)
    if weight.ndim != dims + 2:
        layout = "in_channels, out_channels/groups" if transposed else "out_channels, in/groups"
        raise ShapeError(
            f"{op}: expected weight to be {dims + 2}-d ({layout}, *kernel_size), got weight of "
            f"size {list(weight.shape)}"
        )
    same_dtype(op, input, weight=weight, bias=bias)
    if weight.shape[0] % groups:
        raise ShapeError(
            f"{op}: given groups={groups}, expected weight to be divisible by {groups} at "
            f"dimension 0, but got weight of size {list(weight.shape)} instead"
        )
    channels = input.shape[-dims - 1]
    expected = weight.shape[0] if transposed else weight.shape[1] * groups
    if channels != expected:
        raise ShapeError(
            f"{op}: given groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {expected} channels, but got {channels} channels "
            "instead"
        )
    out_channels = weight.shape[1] * groups if transposed else weight.shape[0]
    if bias is not None and bias.shape != (out_channels,):
        raise ShapeError(
            f"{op}: given weight of size {list(weight.shape)}, expected bias to be 1-dimensional "
            f"with {out_channels} elements, but got bias of size {list(bias.shape)} instead"
        )


def _conv(input, weight, bias, stride, padding, dilation, groups, dims: int, op: str) -> Tensor:
    batched = spatial_input(input, dims, op)
    groups = _groups(groups, op)
    _check_weight(op, input, weight, bias, groups, dims, transposed=False)
    stride = ntuple(stride, dims, "stride", op, minimum=1)
    dilation = ntuple(dilation, dims, "dilation", op, minimum=1)
    kernel = tuple(weight.shape[2:])
    padding = conv_padding(padding, kernel, stride, dilation, op)
    size = tuple(input.shape[-dims:])
    check_kernel_fits(op, size, kernel, padding, dilation)
    out = tuple(
        window_count(n, k, s, lo, hi, d)
        for n, k, s, (lo, hi), d in zip(size, kernel, stride, padding, dilation)
    )
    geo = Geometry(size, out, kernel, stride, padding, dilation, groups, batched)
    return Conv.apply(input, weight, bias, geo=geo)


def _conv_transpose(
    input, weight, bias, stride, padding, output_padding, groups, dilation, dims: int, op: str
) -> Tensor:
    batched = spatial_input(input, dims, op)
    groups = _groups(groups, op)
    _check_weight(op, input, weight, bias, groups, dims, transposed=True)
    stride = ntuple(stride, dims, "stride", op, minimum=1)
    dilation = ntuple(dilation, dims, "dilation", op, minimum=1)
    padding = ntuple(padding, dims, "padding", op)
    extra = ntuple(output_padding, dims, "output_padding", op)
    if any(e >= s and e >= d for e, s, d in zip(extra, stride, dilation)):
        raise ShapeError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={extra}, stride={stride}, dilation={dilation}"
        )
    kernel, given = tuple(weight.shape[2:]), tuple(input.shape[-dims:])
    size = tuple(
        (n - 1) * s - 2 * p + d * (k - 1) + e + 1
        for n, s, p, d, k, e in zip(given, stride, padding, dilation, kernel, extra)
    )
    if any(n < 1 for n in size):
        raise ShapeError(
            f"{op}: given input size per channel {given}, the calculated output size per "
            f"channel {size} is too small"
        )
    padding = tuple((p, p) for p in padding)
    geo = Geometry(size, given, kernel, stride, padding, dilation, groups, batched)
    return ConvTranspose.apply(input, weight, bias, geo=geo)
