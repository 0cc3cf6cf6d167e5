"""book_utils: the CNN course's drop-in for ``from d2l import torch as d2l``.

``import book_utils as d2l`` gives D2L 1.0.3's names, signatures and results for
chapters 7.1-8.6 (and what they use from earlier chapters), with faster data
loading and training, clearer errors, and fixes for D2L's known defects.
This file only re-exports; each name lives in the module that owns it.
"""
import torch  # D2L's chapter code calls d2l.torch, d2l.nn, d2l.F and d2l.plt
from matplotlib import pyplot as plt
from torch import nn
from torch.nn import functional as F

from .chapter_runs import settings
from .classic.regression import (
    SGD,
    LinearRegression,
    LinearRegressionScratch,
    SoftmaxRegression,
    SyntheticRegressionData,
    linreg,
    load_array,
    sgd,
    squared_loss,
    synthetic_data,
)
from .classic.tensors import (
    abs,
    arange,
    argmax,
    astype,
    batch_matmul,
    concat,
    cos,
    cosh,
    exp,
    expand_dims,
    eye,
    float32,
    int32,
    int64,
    linspace,
    log,
    matmul,
    meshgrid,
    nn_Module,
    normal,
    numpy,
    ones,
    ones_like,
    rand,
    randn,
    reduce_mean,
    reduce_sum,
    repeat,
    reshape,
    sigmoid,
    sin,
    sinh,
    size,
    stack,
    swapaxes,
    tanh,
    tensor,
    to,
    transpose,
    zeros,
    zeros_like,
)
from .classic.tools import Accumulator, Animator, Timer, accuracy, check_len, check_shape
from .classic.training import (
    evaluate_accuracy_gpu,
    evaluate_loss,
    get_dataloader_workers,
    get_fashion_mnist_labels,
    load_data_fashion_mnist,
    resnet18,
    train_ch6,
)
from .data import (
    MNIST,
    DataCorruptError,
    DataMismatchError,
    DataModule,
    DataPermissionError,
    DataUnavailableError,
    FashionMNIST,
    TensorLoader,
    load_fashion_mnist,
    load_mnist,
)
from .engine.checkpoint import CheckpointError
from .engine.devices import best_device, cpu, gpu, num_gpus, seed_everything, try_all_gpus, try_gpu
from .engine.module import Classifier, InputSpec, Module, init_cnn
from .engine.profiles import active_profile
from .engine.report import DivergenceWarning
from .engine.train import Trainer
from .hparams import HyperParameters, add_to_class
from .models import (
    RESNET_ARCHS,
    VGG,
    VGG11_QUARTER,
    VGG_ARCHS,
    AlexNet,
    BatchNorm,
    BNLeNet,
    BNLeNetScratch,
    GoogleNet,
    Inception,
    LeNet,
    NiN,
    Residual,
    ResNet,
    ResNet18,
    ResNeXtBlock,
    batch_norm,
    nin_block,
    vgg_block,
)
from .results import record_run
from .answers import check_answer
from .experiments import quiet_fit
from .setup_cell import __version__ as __version__
from .setup_cell import show_setup
from .teaching.glue import glue
from .teaching.ops import (
    comp_conv2d,
    conv_output_shape,
    corr2d,
    corr2d_multi_in,
    corr2d_multi_in_out,
    corr2d_multi_in_out_1x1,
    pool2d,
)
from .teaching.plot import ProgressBoard, plot, set_axes, set_figsize, show_images, use_svg_display

__all__ = [
    # what D2L's chapter code reaches through d2l.
    'torch', 'nn', 'F', 'plt',
    # the engine: D2L's classes and the profile
    'HyperParameters', 'add_to_class', 'Module', 'Classifier', 'InputSpec', 'init_cnn',
    'Trainer', 'DivergenceWarning', 'CheckpointError', 'ProgressBoard', 'active_profile',
    'settings', 'record_run', 'show_setup',
    'cpu', 'gpu', 'num_gpus', 'try_gpu', 'try_all_gpus', 'best_device', 'seed_everything',
    # data
    'DataModule', 'FashionMNIST', 'TensorLoader', 'load_fashion_mnist', 'DataUnavailableError',
    'MNIST', 'load_mnist', 'DataMismatchError',
    # the exercise checks and helpers
    'check_answer', 'quiet_fit', 'glue',
    'DataPermissionError', 'DataCorruptError',
    # the models of chapters 7 and 8
    'LeNet', 'AlexNet', 'VGG', 'VGG_ARCHS', 'VGG11_QUARTER', 'vgg_block', 'NiN', 'nin_block',
    'Inception', 'GoogleNet', 'batch_norm', 'BatchNorm', 'BNLeNetScratch', 'BNLeNet', 'Residual',
    'ResNeXtBlock', 'ResNet', 'ResNet18', 'RESNET_ARCHS',
    # teaching: the operations the chapters derive, and plots
    'corr2d', 'corr2d_multi_in', 'corr2d_multi_in_out', 'corr2d_multi_in_out_1x1', 'pool2d',
    'comp_conv2d', 'conv_output_shape', 'plot', 'set_axes', 'set_figsize', 'show_images',
    'use_svg_display',
    # D2L's older function-style API
    'load_data_fashion_mnist', 'get_fashion_mnist_labels', 'get_dataloader_workers',
    'evaluate_accuracy_gpu', 'evaluate_loss', 'train_ch6', 'resnet18', 'Accumulator', 'Animator',
    'Timer', 'accuracy', 'check_shape', 'check_len', 'synthetic_data', 'load_array', 'linreg',
    'squared_loss', 'sgd', 'SyntheticRegressionData', 'LinearRegressionScratch', 'SGD',
    'LinearRegression', 'SoftmaxRegression',
    # D2L's tensor aliases
    'nn_Module', 'ones_like', 'ones', 'zeros_like', 'zeros', 'tensor', 'arange', 'meshgrid', 'sin',
    'sinh', 'cos', 'cosh', 'tanh', 'linspace', 'exp', 'log', 'normal', 'rand', 'randn', 'matmul',
    'int32', 'int64', 'float32', 'concat', 'stack', 'abs', 'eye', 'sigmoid', 'batch_matmul',
    'numpy', 'size', 'reshape', 'to', 'reduce_sum', 'argmax', 'astype', 'transpose', 'reduce_mean',
    'expand_dims', 'swapaxes', 'repeat',
]
