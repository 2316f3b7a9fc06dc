"""The seeded fuzz of test_fuzz_bad_input.py over the vision functions and layers:
convolution, pooling, normalization, padding, resizing and the activations. Wrong arguments
must get clear errors (an allowed exception type, a message naming an argument), right ones
sane results (and a working backward).

The machinery (pools, Spec, judging a call) is test_fuzz_bad_input's; the specs are here.
"""

import pytest
from test_fuzz_bad_input import BOOL, PROB, SpecTable, pool

SPECS = SpecTable("vision-")
specs = SPECS.add

IMAGES = pool(
    "mg.randn(2, 4, 6, 6)",
    "mg.randn(2, 4, 6, 6, requires_grad=True)",
    "mg.randn(4, 5, 5)",
    wrong=(
        "mg.randn(2, 3, 6, 6)",  # wrong channel count
        "mg.randn(6, 6)",  # wrong rank
        "mg.randn(2, 4, 2, 2)",  # smaller than the kernel
        "mg.randn(2, 4, 6, 6).double()",
        "mg.ones(2, 4, 6, 6, dtype=mg.int64)",
        "mg.zeros(0, 4, 6, 6)",
        "mg.randn(2, 4, 0, 6)",
    ),
)
WEIGHT = pool(
    "mg.randn(6, 2, 3, 3)",
    "mg.randn(6, 2, 3, 3, requires_grad=True)",
    wrong=(
        "mg.randn(6, 3, 3, 3)",
        "mg.randn(5, 2, 3, 3)",
        "mg.randn(6, 2, 3)",
        "mg.randn(6, 2, 9, 9)",
        "mg.randn(6, 2, 3, 3).double()",
        "mg.randn(0, 2, 3, 3)",
    ),
)
BIAS = pool(
    "None",
    "mg.randn(6)",
    "mg.randn(6, requires_grad=True)",
    wrong=("mg.randn(5)", "mg.randn(6, 1)", "mg.randn(6).double()"),
)
PAIR = pool(
    "1",
    "2",
    "(1, 2)",
    "[2, 1]",
    wrong=("0", "-1", "(1, 2, 3)", "(1.5, 1)", "'1'", "None", "(0, 1)"),
)
PADDING = pool(
    "0",
    "1",
    "(1, 0)",
    "'same'",
    "'valid'",
    wrong=("-1", "'full'", "(1, 2, 3)", "1.5", "'SAME'", "(1, -1)"),
)
GROUPS = pool("1", "2", wrong=("0", "-1", "3", "4", "1.5", "True"))
KERNEL = pool("2", "3", "(2, 3)", wrong=("0", "-2", "(2, 2, 2)", "7", "2.5", "(2, None)"))
SIZE = pool("3", "(4, 5)", "(None, 2)", "1", wrong=("-1", "(2, 2, 2)", "2.5", "'3'", "(2, -3)"))
VECTOR = pool(
    "None",
    "mg.randn(4)",
    "mg.randn(4, requires_grad=True)",
    wrong=("mg.randn(3)", "mg.randn(4).double()", "mg.randn(4, 1)"),
)
NUMBER = pool("0.1", "0.5", "2.0", wrong=("'0.1'", "None", "mg.randn(3)", "1+2j"))

specs(
    "conv",
    "F.conv2d($input, $weight, $bias, $stride, $padding, $dilation, $groups)",
    "F.conv2d($input, $weight, padding=$padding)",
    "F.conv_transpose2d($input, mg.randn(4, 3, 3, 3), $bias, $stride, 0, 0, $groups)",
    "F.conv1d($signal, $weight1d, stride=$stride)",
    "mg.nn.Conv2d(4, 6, $kernel, $stride, $padding, $dilation, $groups)($input)",
    "mg.nn.Conv2d(4, 6, 3, padding_mode=$mode)($input)",
    "mg.nn.ConvTranspose2d(4, 2, $kernel, $stride, output_padding=$output_padding)($input)",
    input=IMAGES,
    weight=WEIGHT,
    signal=pool("mg.randn(2, 4, 7)", "mg.randn(4, 7)", wrong=("mg.randn(2, 3, 7)", "mg.randn(7)")),
    weight1d=pool("mg.randn(3, 4, 2)", wrong=("mg.randn(3, 4)", "mg.randn(3, 2, 2)")),
    bias=BIAS,
    stride=PAIR,
    padding=PADDING,
    dilation=PAIR,
    groups=GROUPS,
    kernel=KERNEL,
    mode=pool("'zeros'", "'reflect'", "'circular'", wrong=("'zero'", "'mirror'", "None", "1")),
    output_padding=pool("0", "1", wrong=("2", "-1", "(1, 3)", "1.5")),
    names=(
        "channels",
        "input",
        "kernel size",
        "kernel_size",
        "padded input",
        "padding_mode",
        "output padding",
        "in_channels",
        "out_channels",
        "weight",
        "bias",
        "groups",
        "stride",
        "dilation",
    ),
    returns="any",
)
specs(
    "pool",
    "F.max_pool2d($input, $kernel, $stride, $padding, ceil_mode=$ceil_mode)",
    "F.avg_pool2d($input, $kernel, $stride, $padding, count_include_pad=$count_include_pad)",
    "F.max_pool2d($input, $kernel, return_indices=$return_indices)",
    "F.adaptive_avg_pool2d($input, $size)",
    "F.adaptive_max_pool2d($input, $size, $return_indices)",
    "F.max_pool1d($input[0], $kernel)",
    "mg.nn.MaxPool2d($kernel, $stride)($input)",
    "mg.nn.AvgPool2d($kernel, divisor_override=$divisor_override)($input)",
    "F.max_unpool2d(*F.max_pool2d($input, 2, return_indices=True), 2, output_size=$output_size)",
    input=IMAGES,
    kernel=KERNEL,
    stride=pool("None", "1", "2", wrong=PAIR.wrong),
    padding=pool("0", "1", wrong=("-1", "2", "(1, 2, 3)", "1.5")),
    ceil_mode=BOOL,
    return_indices=BOOL,
    count_include_pad=BOOL,
    size=SIZE,
    divisor_override=pool("None", "3", wrong=("0", "1.5", "'3'")),
    output_size=pool("None", "(6, 6)", "(7, 6)", wrong=("(9, 9)", "(2,)", "'6'")),
    names=(
        "kernel_size",
        "pad",
        "output size",
        "output_size",
        "stride",
        "padding",
        "divisor",
        "dilation",
        "indices",
    ),
    returns="any",
)
specs(
    "norm",
    "F.batch_norm($input, $mean, $var, $weight, $bias, $training, $momentum, $eps)",
    "F.group_norm($input, $groups, $weight, $bias)",
    "F.instance_norm($input, weight=$weight)",
    "mg.nn.BatchNorm2d($features)($input)",
    "mg.nn.GroupNorm($groups, 4)($input)",
    "mg.nn.InstanceNorm2d($features, affine=$affine)($input)",
    "F.dropout2d($input, $p, $training)",
    "mg.nn.Dropout2d($p)($input)",
    input=IMAGES,
    mean=VECTOR,
    var=VECTOR,
    weight=VECTOR,
    bias=VECTOR,
    training=BOOL,
    affine=BOOL,
    momentum=NUMBER,
    eps=pool("1e-5", "0.0", wrong=("-1.0", "'a'", "None")),
    p=PROB,
    groups=pool("1", "2", "4", wrong=("0", "3", "-2", "1.5")),
    features=pool("4", wrong=("3", "0", "-1", "4.0")),
    names=(
        "running_mean",
        "running_var",
        "num_groups",
        "num_channels",
        "num_features",
        "value",
        "spatial element",
        "channel",
        "elements",
        "input",
        "eps",
        "momentum",
    ),
    returns="any",
)
specs(
    "resample",
    "F.pad($input, $pad, mode=$mode)",
    "F.pad($input, $pad, value=$value)",
    "F.interpolate($input, size=$size, mode=$imode)",
    "F.interpolate($input, scale_factor=$scale_factor, mode=$imode, align_corners=$corners)",
    "F.pixel_shuffle($input, $factor)",
    "mg.nn.Upsample(scale_factor=$scale_factor)($input)",
    "mg.nn.Unflatten(1, $sizes)($input)",
    input=IMAGES,
    pad=pool(
        "(1, 1)",
        "(1, 0, 2, 1)",
        "(-1, 1)",
        wrong=("(1,)", "(1, 1, 1, 1, 1, 1, 1, 1, 1, 1)", "(9, 9)", "(1.5, 1)", "1", "(-9, 0)"),
    ),
    mode=pool("'constant'", "'reflect'", "'replicate'", "'circular'", wrong=("'mirror'", "None")),
    value=pool("None", "0.5", wrong=("'a'", "mg.randn(2)")),
    size=pool("(3, 4)", "8", wrong=SIZE.wrong),
    imode=pool(
        "'nearest'",
        "'bilinear'",
        "'area'",
        "'nearest-exact'",
        wrong=("'linear'", "'cubic'", "None"),
    ),
    scale_factor=pool("2", "0.5", "(2, 1.5)", wrong=("0", "-1", "(2,)", "'2'", "float('nan')")),
    corners=pool("None", "True", "False"),
    factor=pool("2", "1", wrong=("0", "3", "-1", "1.5")),
    sizes=pool("(2, 2)", "(-1, 1)", wrong=("5", "(3, 3)", "(2, 2.0)", "(-1, -1)")),
    names=(
        "pad",
        "padding",
        "padding size",
        "mode",
        "value",
        "size",
        "scale_factor",
        "align_corners",
        "upscale_factor",
        "unflattened_size",
        "spatial dimensions",
        "sizes",
        "input",
        "dim",
    ),
    returns="any",
)
ACTIVATIONS = (
    "gelu",
    "silu",
    "mish",
    "selu",
    "relu6",
    "hardswish",
    "hardsigmoid",
    "tanh",
    "sigmoid",
)
specs(
    "activations",
    *(f"F.{f}($input)" for f in ACTIVATIONS),
    "F.leaky_relu($input, $number)",
    "F.elu($input, $number)",
    "F.softplus($input, $number, $number)",
    "F.hardtanh($input, $low, $high)",
    "F.gelu($input, approximate=$approximate)",
    "F.prelu($input, $weight)",
    "mg.nn.PReLU($count)($input)",
    "mg.nn.Softmax2d()($input)",
    "mg.nn.GELU($approximate)($input)",
    "mg.nn.LeakyReLU($number)($input)",
    input=IMAGES,
    number=NUMBER,
    low=pool("-1.0", "0.0", wrong=("2.0", "'a'")),
    high=pool("1.0", "6.0", wrong=("-2.0", "None")),
    approximate=pool("'none'", "'tanh'", wrong=("'exact'", "None", "True")),
    weight=pool(
        "mg.randn(4)",
        "mg.randn(1)",
        wrong=("mg.randn(3)", "mg.randn(4, 1)", "mg.randn(4).double()"),
    ),
    count=pool("1", "4", wrong=("3", "-1", "1.5")),
    names=(
        "negative_slope",
        "alpha",
        "beta",
        "threshold",
        "min_val",
        "max_val",
        "approximate",
        "weight",
        "channel size",
        "num_parameters",
        "input",
    ),
    returns="any",
)


@pytest.mark.filterwarnings("ignore::UserWarning")  # (dropout2d of other ranks warns, as PyTorch)
@pytest.mark.parametrize("group", sorted(SPECS))
def test_wrong_arguments_fail_clearly(group):
    SPECS.check(group)
