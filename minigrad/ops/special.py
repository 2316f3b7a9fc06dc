"""The error function: `erf` and `erfc`, which numpy lacks, and their ops.

Evaluated in float64 (then rounded to the input's dtype) with the rational approximations of
FreeBSD's msun `s_erf.c` (Sun Microsystems, 1993), accurate to about an ulp of float64: four
ranges of |x|, each with its own fit, evaluated on the entries of its range only.

    |x| < 0.84375         erf(x) = x + x R(x^2) / S(x^2)
    0.84375 <= |x| < 1.25 erf(|x|) = erx + P(|x| - 1) / Q(|x| - 1)
    1.25 <= |x| < 28      erfc(|x|) = exp(-x^2 - 0.5625 + R(1/x^2) / S(1/x^2)) / |x|
    |x| >= 28             erfc(|x|) = 0 (it underflows)

and erf(-x) = -erf(x), erfc(-x) = 2 - erfc(x). For erfc(x) of a large x the tail formula is
used directly (not 1 - erf), so erfc(10) = 2.1e-45 keeps its digits.
"""

from __future__ import annotations

import math

from .. import backend, dtypes
from ..autograd.engine import Function
from .elementwise import exp


def _numbers(text: str) -> tuple[float, ...]:
    return tuple(float(v) for v in text.split())


_ERX = 8.45062911510467529297e-01  # erf(1) rounded to 24 bits: P/Q fits erf(x) - erx near 1
# Coefficients, lowest power first (the denominators' leading 1 included).
_PP = _numbers(
    "1.28379167095512558561e-01 -3.25042107247001499370e-01 -2.84817495755985104766e-02 "
    "-5.77027029648944159157e-03 -2.37630166566501626084e-05"
)
_QQ = _numbers(
    "1.0 3.97917223959155352819e-01 6.50222499887672944485e-02 "
    "5.08130628187576562776e-03 1.32494738004321644526e-04 -3.96022827877536812320e-06"
)
_PA = _numbers(
    "-2.36211856075265944077e-03 4.14856118683748331666e-01 -3.72207876035701323847e-01 "
    "3.18346619901161753674e-01 -1.10894694282396677476e-01 3.54783043256182359371e-02 "
    "-2.16637559486879084300e-03"
)
_QA = _numbers(
    "1.0 1.06420880400844228286e-01 5.40397917702171048937e-01 "
    "7.18286544141962662868e-02 1.26171219808761642112e-01 1.36370839120290507362e-02 "
    "1.19844998467991074170e-02"
)
_RA = _numbers(
    "-9.86494403484714822705e-03 -6.93858572707181764372e-01 -1.05586262253232909814e01 "
    "-6.23753324503260060396e01 -1.62396669462573470355e02 -1.84605092906711035994e02 "
    "-8.12874355063065934246e01 -9.81432934416914548592e00"
)
_SA = _numbers(
    "1.0 1.96512716674392571292e01 1.37657754143519042600e02 4.34565877475229228821e02 "
    "6.45387271733267880336e02 4.29008140027567833386e02 1.08635005541779435134e02 "
    "6.57024977031928170135e00 -6.04244152148580987438e-02"
)
_RB = _numbers(
    "-9.86494292470009928597e-03 -7.99283237680523006574e-01 -1.77579549177547519889e01 "
    "-1.60636384855821916062e02 -6.37566443368389627722e02 -1.02509513161107724954e03 "
    "-4.83519191608651397019e02"
)
_SB = _numbers(
    "1.0 3.03380607434824582924e01 3.25792512996573918826e02 1.53672958608443695994e03 "
    "3.19985821950859553908e03 2.55305040643316442583e03 4.74528541206955367215e02 "
    "-2.24409524465858183362e01"
)
_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _poly(x, coefficients):
    """sum c_k x^k by Horner's rule (in place: one new array)."""
    out = x * coefficients[-1]
    out += coefficients[-2]
    for c in reversed(coefficients[:-2]):
        out *= x
        out += c
    return out


def _tail(ax):
    """erfc(|x|) for 1.25 <= |x| < 28 by the tail formula."""
    xp = backend.xp_of(ax)
    w = 1 / (ax * ax)
    fit, near = xp.empty_like(w), ax < 1 / 0.35  # two fits, each evaluated on its own entries
    fit[near] = _poly(w[near], _RA) / _poly(w[near], _SA)
    fit[~near] = _poly(w[~near], _RB) / _poly(w[~near], _SB)
    # x^2 as hi^2 + (x - hi)(x + hi), hi x's leading 24 bits, whose square float64 holds
    # exactly: exp(-x^2) of a large x keeps its relative accuracy.
    hi = ax.astype(dtypes.float32).astype(dtypes.float64)
    return xp.exp(-hi * hi - 0.5625) * xp.exp((hi - ax) * (hi + ax) + fit) / ax


def _ranges(x):
    """(|x|, and the masks of its three ranges: < 0.84375, < 1.25, < 28). Each fit is then
    evaluated only on the entries of its own range (NaN is in none)."""
    ax = backend.xp_of(x).abs(x)
    small, middle = ax < 0.84375, (ax >= 0.84375) & (ax < 1.25)
    return ax, small, middle, (ax >= 1.25) & (ax < 28)


def _small(v):
    """R/S of the small range, at v (|v| < 0.84375): erf(v) = v + v R/S."""
    z = v * v
    return _poly(z, _PP) / _poly(z, _QQ)


def _middle(a):
    """P/Q near 1, at |x| = a: erf(a) = erx + P/Q."""
    s = a - 1
    return _poly(s, _PA) / _poly(s, _QA)


def erf_array(x):
    """erf of a float array, in x's dtype."""
    xp, wide = backend.xp_of(x), x.astype(dtypes.float64)
    ax, small, middle, far = _ranges(wide)
    out = xp.where(ax == ax, 1.0, ax)  # 1 beyond 28 (and from 6 on, to float64), NaN kept
    v = ax[small]
    out[small] = v + v * _small(v)
    out[middle] = _ERX + _middle(ax[middle])
    out[far] = 1 - _tail(ax[far])
    return xp.copysign(out, wide).astype(x.dtype, copy=False)


def erfc_array(x):
    """erfc = 1 - erf of a float array, in x's dtype, accurate in the far tail too."""
    xp, wide = backend.xp_of(x), x.astype(dtypes.float64)
    ax, small, middle, far = _ranges(wide)
    out = xp.where(wide < 0, 2.0, xp.where(ax == ax, 0.0, ax))  # beyond 28: 2 or 0; NaN kept
    v = wide[small]
    # Below 1/4, 1 - erf(x) loses nothing; above, 0.5 - (x - 0.5 + x R/S) keeps more digits.
    y = v * _small(v)
    out[small] = xp.where(v < 0.25, 1 - (v + y), 0.5 - (v - 0.5 + y))
    v, pq = wide[middle], _middle(ax[middle])
    out[middle] = xp.where(v > 0, 1 - _ERX - pq, 1 + _ERX + pq)
    v, tail = wide[far], _tail(ax[far])
    out[far] = xp.where(v > 0, tail, 2 - tail)
    return out.astype(x.dtype, copy=False)


class Erf(Function):
    def forward(self, x):
        return erf_array(x)

    def backward(self, g, x):  # erf'(x) = 2/sqrt(pi) e^(-x^2)
        return g * (_TWO_OVER_SQRT_PI * exp(-(x * x)))


class Erfc(Function):
    def forward(self, x):
        return erfc_array(x)

    def backward(self, g, x):  # erfc' = -erf'
        return g * (-_TWO_OVER_SQRT_PI * exp(-(x * x)))
