"""book_utils: the CNN course's drop-in for ``from d2l import torch as d2l``.

``import book_utils as d2l`` gives D2L 1.0.3's names, signatures and results for
chapters 7.1-8.6 (and what they use from earlier chapters), with faster data
loading and training, clearer errors, and fixes for D2L's known defects.
This file only re-exports; each concern lives in its own module.
"""
import textwrap as _textwrap
import warnings as _warnings

import torch  # noqa: F401  (D2L code calls d2l.torch, d2l.nn, d2l.F, d2l.plt)
from matplotlib import pyplot as plt  # noqa: F401
from torch import nn  # noqa: F401
from torch.nn import functional as F  # noqa: F401

from .classic import (evaluate_accuracy_gpu, evaluate_loss, get_dataloader_workers,
                      get_fashion_mnist_labels, load_data_fashion_mnist, resnet18, train_ch6)
from .classic_regression import (SGD, LinearRegression, LinearRegressionScratch, SoftmaxRegression,
                                 SyntheticRegressionData, linreg, load_array, sgd, squared_loss,
                                 synthetic_data)
from .classic_tools import Accumulator, Animator, Timer, accuracy, check_len, check_shape
from .data import (DataCorruptError, DataModule, DataPermissionError, DataUnavailableError,
                   FashionMNIST,
                   TensorLoader, load_fashion_mnist)
from .experiments import quiet_fit
from .devices import best_device, cpu, gpu, num_gpus, seed_everything, try_all_gpus, try_gpu
from .hparams import HyperParameters, add_to_class
from .models import *  # noqa: F401,F403
from .module import Classifier, InputSpec, Module, init_cnn
from .ops import (comp_conv2d, conv_output_shape, corr2d, corr2d_multi_in, corr2d_multi_in_out,
                  corr2d_multi_in_out_1x1, pool2d)
from .plot import ProgressBoard, plot, set_axes, set_figsize, show_images, use_svg_display
from .profiles import active_profile
from .run_settings import settings
from .results import record_run
from .tensors import *  # noqa: F401,F403
from .tensors import numpy, size, reshape, to, reduce_sum, argmax, astype, transpose, \
    reduce_mean, expand_dims, swapaxes, repeat  # noqa: F401
from .checkpoint import CheckpointError
from .train import DivergenceWarning, Trainer

__version__ = '0.1.0'


def _short_warning(message, category, filename, lineno, line=None):
    """A warning as a reader should see it: its category and message, without the kernel's
    temporary file name and line number (``/tmp/ipykernel_123/456.py:6:``), its long lines
    wrapped so that a phone shows them without sideways scrolling."""
    text = f'{category.__name__}: {message}'
    return '\n'.join(_textwrap.fill(row, 88) for row in text.split('\n')) + '\n'


def show_setup():
    """Print, in one line, the versions, profile and device this notebook runs with.

    Called by every chapter's setup cell, it also makes warnings in that notebook show
    just their category and message.
    """
    _warnings.formatwarning = _short_warning
    device = best_device()
    print(f'book_utils {__version__} | torch {torch.__version__} | '
          f"profile '{active_profile().name}' | device {device}")
