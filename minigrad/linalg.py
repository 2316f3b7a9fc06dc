"""`mg.linalg`: PyTorch's torch.linalg names that minigrad has (norms so far).

As everywhere in minigrad's public API, the tensor argument must be a Tensor; the functions
themselves are in minigrad.functions.norms.
"""

from .functions import norms
from .functions.public import _tensor_input

norm = _tensor_input(norms.linalg_norm)
vector_norm = _tensor_input(norms.vector_norm)
matrix_norm = _tensor_input(norms.matrix_norm)

__all__ = ["matrix_norm", "norm", "vector_norm"]
