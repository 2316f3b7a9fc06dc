"""Batching sequences of different lengths: `pad_sequence`, as in torch.nn.utils.rnn.

>>> nn.utils.rnn.pad_sequence([mg.ones(2), mg.ones(1)], batch_first=True)
tensor([[1., 1.],
        [1., 0.]])
"""

from __future__ import annotations

from ... import functions
from ...errors import OptionError, ShapeError, _described, as_number, check_bool
from ...tensor import Tensor

__all__ = ["pad_sequence"]


def pad_sequence(
    sequences, batch_first: bool = False, padding_value: float = 0.0, padding_side: str = "right"
) -> Tensor:
    """Stack tensors of shapes (L_i, *) into (max L, B, *), or (B, max L, *) with batch_first,
    filling the missing steps with padding_value, after each sequence (padding_side='right')
    or before it ('left'). The sequences must agree in their other dims, dtype and device;
    gradients flow back to each sequence.
    """
    if isinstance(sequences, Tensor):
        sequences = list(sequences.unbind(0))  # a (B, L, *) tensor: its rows, as PyTorch
    if not isinstance(sequences, (list, tuple)):
        raise TypeError(
            f"pad_sequence: sequences must be a list or tuple of Tensors, got "
            f"{_described(sequences)}"
        )
    if not sequences:
        raise OptionError("pad_sequence: received an empty list of sequences")
    batch_first = check_bool(batch_first, "batch_first", "pad_sequence")
    padding_value = as_number(padding_value, "padding_value", "pad_sequence")
    if padding_side not in ("left", "right"):
        raise OptionError(
            f"pad_sequence: padding_side must be 'left' or 'right', got {padding_side!r}"
        )
    for i, seq in enumerate(sequences):
        if not isinstance(seq, Tensor):
            raise TypeError(f"pad_sequence: sequences[{i}] must be a Tensor, got {_described(seq)}")
        if seq.ndim == 0:
            raise ShapeError(f"pad_sequence: sequences[{i}] is 0-d; each needs a length dim")
        if seq.shape[1:] != sequences[0].shape[1:]:
            raise ShapeError(
                f"pad_sequence: sequences[{i}] has shape {tuple(seq.shape)}, whose trailing "
                f"dims do not match sequences[0]'s {tuple(sequences[0].shape)}"
            )
    longest = max(seq.shape[0] for seq in sequences)
    padded = []
    for seq in sequences:
        missing = longest - seq.shape[0]
        if missing:
            filler = functions.new_full(seq, (missing, *seq.shape[1:]), padding_value)
            seq = functions.cat([seq, filler] if padding_side == "right" else [filler, seq])
        padded.append(seq)
    return functions.stack(padded, 0 if batch_first else 1)
