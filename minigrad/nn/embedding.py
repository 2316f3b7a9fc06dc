"""`Embedding`: a lookup table of num_embeddings vectors, indexed by integer tensors."""

from __future__ import annotations

from .. import creation
from ..errors import OptionError, as_number, as_size, check_bool
from ..functions import require_tensor
from ..tensor import Tensor
from . import functional as F
from . import init
from .functional._embedding import check_padding_idx
from .module import Module, Parameter

__all__ = ["Embedding"]


class Embedding(Module):
    """Indices (*) -> their rows of `weight` (num_embeddings, embedding_dim): (*, embedding_dim).

    weight is N(0, 1), as in PyTorch, with the row padding_idx zeroed (and never trained).
    max_norm, norm_type, scale_grad_by_freq and sparse are F.embedding's.

    >>> Embedding(65, 128)(mg.zeros(12, 64, dtype=mg.int64)).shape
    Size([12, 64, 128])
    """

    def __init__(
        self,
        num_embeddings: int,
        embedding_dim: int,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
        _weight: Tensor | None = None,
        _freeze: bool = False,
        device=None,
        dtype=None,
    ):
        super().__init__()
        op = "Embedding"
        self.num_embeddings = as_size(num_embeddings, "num_embeddings", op)
        self.embedding_dim = as_size(embedding_dim, "embedding_dim", op)
        self.padding_idx = check_padding_idx(padding_idx, self.num_embeddings, op)
        self.max_norm = None if max_norm is None else as_number(max_norm, "max_norm", op)
        self.norm_type = as_number(norm_type, "norm_type", op)
        self.scale_grad_by_freq = check_bool(scale_grad_by_freq, "scale_grad_by_freq", op)
        self.sparse = check_bool(sparse, "sparse", op)
        shape = (self.num_embeddings, self.embedding_dim)
        if self.num_embeddings * self.embedding_dim >= 2**63:
            raise OptionError(
                f"{op}: num_embeddings={self.num_embeddings}, embedding_dim={self.embedding_dim}: "
                "too many parameters to allocate"
            )
        if _weight is None:
            self.weight = Parameter(creation.empty(*shape, dtype=dtype, device=device))
            self.reset_parameters()
        else:
            require_tensor(_weight, "_weight", op)
            if tuple(_weight.shape) != shape:
                raise ValueError(
                    f"{op}: Shape of weight {tuple(_weight.shape)} does not match "
                    f"num_embeddings and embedding_dim {shape}"
                )
            self.weight = Parameter(_weight, requires_grad=not _freeze)

    def reset_parameters(self) -> None:
        """Draw new weights from N(0, 1), the padding row zeroed."""
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.array[self.padding_idx] = 0

    def forward(self, input: Tensor) -> Tensor:
        """Indices (*) -> (*, embedding_dim)."""
        return F.embedding(
            input,
            self.weight,
            self.padding_idx,
            self.max_norm,
            self.norm_type,
            self.scale_grad_by_freq,
            self.sparse,
        )

    @classmethod
    def from_pretrained(
        cls,
        embeddings: Tensor,
        freeze: bool = True,
        padding_idx: int | None = None,
        max_norm: float | None = None,
        norm_type: float = 2.0,
        scale_grad_by_freq: bool = False,
        sparse: bool = False,
    ) -> Embedding:
        """An Embedding whose weight is `embeddings` (2-D, shared, not copied); frozen (no
        gradient) unless freeze=False.

        >>> Embedding.from_pretrained(mg.eye(3))(mg.tensor([2])).tolist()
        [[0.0, 0.0, 1.0]]
        """
        require_tensor(embeddings, "embeddings", "from_pretrained")
        if embeddings.ndim != 2:
            raise ValueError(
                f"from_pretrained: Embeddings parameter is expected to be 2-dimensional, got "
                f"shape {tuple(embeddings.shape)}"
            )
        rows, cols = embeddings.shape
        return cls(
            rows,
            cols,
            padding_idx,
            max_norm,
            norm_type,
            scale_grad_by_freq,
            sparse,
            _weight=embeddings,
            _freeze=check_bool(freeze, "freeze", "from_pretrained"),
        )

    def extra_repr(self) -> str:
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        if self.padding_idx is not None:
            text += f", padding_idx={self.padding_idx}"
        if self.max_norm is not None:
            text += f", max_norm={self.max_norm}"
        if self.norm_type != 2:
            text += f", norm_type={self.norm_type}"
        if self.scale_grad_by_freq:
            text += ", scale_grad_by_freq=True"
        if self.sparse:
            text += ", sparse=True"
        return text
