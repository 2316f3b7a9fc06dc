"""The seeded fuzz of bad input (tests/test_fuzz_bad_input.py's machinery) over the language-
model layers: embeddings, layer norms, attention, the transformer encoder and the recurrent
layers. Every call must raise a clear error naming an argument, or return sane tensors that
backpropagate."""

import pytest
from test_fuzz_bad_input import BOOL, PROB, SpecTable, pool

SPECS = SpecTable("lm-")
specs = SPECS.add

INDICES = pool(
    "mg.tensor([0, 3, 3])",
    "mg.tensor([[1, 2], [0, 0]])",
    "mg.zeros(0, dtype=mg.int64)",
    wrong=(
        "mg.tensor([0, 4])",
        "mg.tensor([-1])",
        "mg.tensor([0.5])",
        "mg.tensor([True])",
        "mg.tensor([0], dtype=mg.int16)",
        "[0, 1]",
    ),
)
TABLE = pool(
    "mg.randn(4, 3)",
    "mg.randn(4, 3, requires_grad=True)",
    wrong=("mg.randn(4)", "mg.randn(4, 3, 2)", "mg.zeros(0, 3)", "np.zeros((4, 3))"),
)
specs(
    "embedding",
    "F.embedding($input, $weight)",
    "F.embedding($input, $weight, padding_idx=$padding_idx)",
    "F.embedding($input, $weight, max_norm=$max_norm, norm_type=$norm_type)",
    "F.embedding($input, $weight, scale_grad_by_freq=$scale_grad_by_freq, sparse=$sparse)",
    "mg.nn.Embedding($num, $dim)($input)",
    "mg.nn.Embedding($num, $dim, padding_idx=$padding_idx)($input)",
    "mg.nn.Embedding.from_pretrained($weight, freeze=$freeze)($input)",
    input=INDICES,
    weight=TABLE,
    padding_idx=pool("None", "0", "-1", wrong=("4", "-5", "1.5", "'0'")),
    max_norm=pool("None", "1.0", wrong=("'1'", "mg.ones(2)")),
    norm_type=pool("2.0", "1.0", wrong=("'2'", "None")),
    scale_grad_by_freq=BOOL,
    sparse=pool("False", wrong=("True", "None", "1")),
    freeze=BOOL,
    num=pool("4", "5", wrong=("-1", "2.5", "None", "'4'")),
    dim=pool("3", "0", wrong=("-1", "2.5", "None")),
    names=("indices", "index", "num_embeddings", "embedding_dim", "Embeddings"),
)
X = pool(
    "mg.randn(2, 3, 4)",
    "mg.randn(2, 3, 4, requires_grad=True)",
    "mg.randn(3, 4)",
    wrong=("mg.randn(2, 3, 5)", "mg.arange(4)", "mg.randn(4, dtype=mg.float64)", "mg.randn(0, 3)"),
)  # (an operand Python itself uses is wrong tensors only)
SHAPE = pool(
    "4", "(4,)", "[3, 4]", wrong=("5", "(4, 1)", "()", "-4", "'4'", "(2, 3, 4, 1)", "4.0", "None")
)
PARAM = pool(
    "None",
    "mg.ones(4)",
    "mg.ones(4, requires_grad=True)",
    wrong=("mg.ones(3)", "mg.ones(4, dtype=mg.float64)", "mg.ones(1, 4)", "1.0"),
)
specs(
    "layer_norm",
    "F.layer_norm($input, $shape)",
    "F.layer_norm($input, 4, $weight, $bias, eps=$eps)",
    "F.rms_norm($input, $shape, eps=$eps)",
    "F.rms_norm($input, 4, $weight)",
    "mg.nn.LayerNorm($shape, elementwise_affine=$elementwise_affine, bias=$bias)($input)",
    "mg.nn.RMSNorm($shape, eps=$eps)($input)",
    input=X,
    shape=SHAPE,
    weight=PARAM,
    bias=PARAM,
    eps=pool("1e-5", "0.0", wrong=("-1.0", "'a'", "float('nan')", "float('inf')")),
    elementwise_affine=BOOL,
    names=("normalized_shape", "shape"),
)
Q = pool(
    "mg.randn(2, 2, 3, 4)",
    "mg.randn(2, 2, 3, 4, requires_grad=True)",
    "mg.randn(3, 4)",
    wrong=(
        "mg.randn(4)",
        "mg.randn(2, 2, 3, 5)",
        "mg.arange(12).reshape(3, 4)",
        "mg.randn(2, 2, 3, 4, dtype=mg.float64)",
        "mg.randn(3, 2, 3, 4)",
    ),
)
KV = pool(
    "mg.randn(2, 2, 5, 4)",
    "mg.randn(5, 4, requires_grad=True)",
    wrong=("mg.randn(2, 2, 5, 3)", "mg.randn(2, 2, 6, 4)", "mg.randn(5)", "None"),
)
MASK = pool(
    "None",
    "mg.ones(3, 5, dtype=mg.bool)",
    "mg.zeros(3, 5)",
    "mg.zeros(5)",
    wrong=(
        "mg.ones(5, 3, dtype=mg.bool)",
        "mg.zeros(3, 5, dtype=mg.int64)",
        "mg.zeros(3, 5, dtype=mg.float64)",
        "mg.zeros(2, 2, 2, 3, 5)",
        "1.0",
    ),
)
specs(
    "attention",
    "F.scaled_dot_product_attention($query, $key, $value)",
    "F.scaled_dot_product_attention($query, $key, $value, $attn_mask)",
    "F.scaled_dot_product_attention($query, $key, $value, $attn_mask, dropout_p=$p, "
    "is_causal=$is_causal)",
    "F.scaled_dot_product_attention($query, $key, $value, scale=$scale, enable_gqa=$enable_gqa)",
    query=Q,
    key=KV,
    value=KV,
    attn_mask=MASK,
    p=PROB,
    is_causal=BOOL,
    enable_gqa=BOOL,
    scale=pool("None", "0.5", wrong=("'a'", "mg.ones(2)")),
    names=(
        "query",
        "key",
        "value",
        "attn_mask",
        "dropout probability",
        "batch dims",
        "sequence length",
        "enable_gqa",
        "is_causal",
    ),
)
SEQ = pool(
    "mg.randn(3, 2, 8)",
    "mg.randn(3, 2, 8, requires_grad=True)",
    "mg.randn(3, 8)",
    wrong=(
        "mg.randn(3, 2, 6)",
        "mg.randn(2, 8)",
        "mg.randn(8)",
        "mg.arange(8)",
        "mg.randn(3, 2, 8, dtype=mg.float64)",
    ),
)
specs(
    "transformer",
    "mg.nn.MultiheadAttention($embed_dim, $num_heads, dropout=$p, bias=$bias)",
    "mg.nn.MultiheadAttention(8, 2)($query, $key, $value)",
    "mg.nn.MultiheadAttention(8, 2)($query, $query, $query, key_padding_mask=$key_padding_mask, "
    "need_weights=$need_weights)",
    "mg.nn.MultiheadAttention(8, 2)($query, $query, $query, attn_mask=$attn_mask, "
    "is_causal=$is_causal)",
    "mg.nn.TransformerEncoderLayer($d_model, $nhead, 16, activation=$activation)($query)",
    "mg.nn.TransformerEncoder(mg.nn.TransformerEncoderLayer(8, 2, 16), $layers)($query)",
    embed_dim=pool("8", wrong=("0", "-8", "7", "8.0", "None")),
    d_model=pool("8", wrong=("0", "-8", "7", "8.0", "None")),
    nhead=pool("2", "1", wrong=("0", "3", "-1", "2.0")),
    num_heads=pool("2", "1", wrong=("0", "3", "-1", "2.0")),
    p=PROB,
    bias=BOOL,
    need_weights=BOOL,
    is_causal=BOOL,
    query=SEQ,
    key=SEQ,
    value=SEQ,
    key_padding_mask=pool(
        "None",
        "mg.zeros(2, 3, dtype=mg.bool)",
        wrong=(
            "mg.zeros(3, 2, dtype=mg.bool)",
            "mg.zeros(2, 3, dtype=mg.int64)",
            "mg.zeros(2, 3, 1)",
        ),
    ),
    attn_mask=pool(
        "None",
        "mg.zeros(3, 3)",
        "mg.zeros(4, 3, 3, dtype=mg.bool)",
        wrong=(
            "mg.zeros(3, 4)",
            "mg.zeros(3)",
            "mg.zeros(5, 3, 3)",
            "mg.zeros(3, 3, dtype=mg.int64)",
        ),
    ),
    activation=pool("'relu'", "'gelu'", "F.relu", wrong=("'tanh'", "1", "None")),
    layers=pool("1", "2", wrong=("-1", "1.5", "'2'")),
    names=(
        "embed_dim",
        "num_heads",
        "embedding dimension",
        "key_padding_mask",
        "attn_mask",
        "key shape",
        "activation",
        "query",
        "num_layers",
        "dropout probability",
    ),
    returns="any",
)
KINDS = ("RNN", "LSTM", "GRU")
specs(
    "recurrent",
    *(
        f"mg.nn.{kind}($input_size, $hidden_size, num_layers=$layers, bidirectional=$bidirectional)"
        for kind in KINDS
    ),
    *(
        f"mg.nn.{kind}(8, 4, batch_first=$batch_first, dropout=$p, num_layers=2)($input)"
        for kind in KINDS
    ),
    "mg.nn.GRU(8, 4, num_layers=$layers)($input, $hx)",
    "mg.nn.LSTM(8, 4)($input, ($hx, $hx))",
    "mg.nn.RNN(8, 4, nonlinearity=$nonlinearity)($input)",
    "mg.nn.LSTMCell(8, 4)($step, $cell_state)",
    "mg.nn.GRUCell(8, 4, bias=$bias)($step, $cell_h)",
    input_size=pool("8", "0", wrong=("-1", "2.5", "None", "'8'")),
    hidden_size=pool("4", wrong=("0", "-1", "2.5", "True")),
    layers=pool("1", "2", wrong=("0", "-1", "1.5")),
    bidirectional=BOOL,
    batch_first=BOOL,
    bias=BOOL,
    p=PROB,
    input=SEQ,
    hx=pool(
        "None",
        "mg.zeros(1, 2, 4)",
        wrong=(
            "mg.zeros(1, 3, 4)",
            "mg.zeros(2, 4)",
            "mg.zeros(1, 2, 5)",
            "mg.zeros(1, 2, 4, dtype=mg.float64)",
        ),
    ),
    nonlinearity=pool("'tanh'", "'relu'", wrong=("'sigmoid'", "None", "1")),
    step=pool("mg.randn(2, 8)", "mg.randn(8)", wrong=("mg.randn(2, 7)", "mg.randn(1, 2, 8)")),
    cell_state=pool(
        "None",
        "(mg.zeros(2, 4), mg.zeros(2, 4))",
        wrong=("mg.zeros(2, 4)", "(mg.zeros(2, 4),)", "(mg.zeros(3, 4), mg.zeros(2, 4))"),
    ),
    cell_h=pool("None", "mg.zeros(2, 4)", wrong=("mg.zeros(3, 4)", "mg.zeros(4, 2)")),
    names=(
        "input_size",
        "hidden_size",
        "num_layers",
        "hidden",
        "hx",
        "input",
        "dropout",
        "nonlinearity",
        "sequence length",
        "hidden[0]",
        "hidden[1]",
    ),
    returns="any",
)


@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
