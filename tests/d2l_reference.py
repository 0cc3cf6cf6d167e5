"""D2L 1.0.3's own code as the tests' reference: where each section's code lives, and
how its classes and functions are built on the oracle package ``d2l.torch``.

``test_d2l_chapter_code.py`` runs each section file whole on ``book_utils``; the model
tests take the classes from the same files (``d2l_definitions``), so the repository
holds one copy of D2L's code, verbatim.
"""
import ast
import contextlib
import io
from pathlib import Path

CODE_DIR = Path(__file__).resolve().parent / 'd2l_code'

SECTION_FILES = {
    '7.2': '7_2_conv_layer.py',
    '7.3': '7_3_padding_and_strides.py',
    '7.4': '7_4_channels.py',
    '7.5': '7_5_pooling.py',
    '7.6': '7_6_lenet.py',
    '8.1': '8_1_alexnet.py',
    '8.2': '8_2_vgg.py',
    '8.3': '8_3_nin.py',
    '8.4': '8_4_googlenet.py',
    '8.5': '8_5_batch_norm.py',
    '8.6': '8_6_resnet.py',
}


class Tab:
    """d2lbook's ``tab`` as the book's PyTorch build sees it."""

    @staticmethod
    def selected(*tabs):
        return 'pytorch' in tabs


def _is_definition(node):
    """A top-level import, class or function; not the d2l import, not a patch of d2l's own classes."""
    if isinstance(node, ast.ImportFrom) and node.module == 'd2l':
        return False
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.ClassDef)):
        return True
    if not isinstance(node, ast.FunctionDef):
        return False
    patches_d2l = any(isinstance(d, ast.Call) and ast.unparse(d.func) == 'd2l.add_to_class'
                      and ast.unparse(d.args[0]).startswith('d2l.') for d in node.decorator_list)
    return not patches_d2l


def d2l_definitions(section, d2l_module):
    """The classes and functions D2L's code for ``section`` defines, built on ``d2l_module``.

    Only the file's top-level imports, classes and functions run (no training, no
    output); ``@d2l.add_to_class`` methods join the section's own classes as in the
    book. The model tests compare ``book_utils`` with these, D2L's verbatim code,
    instead of with a second copy typed into the tests.
    """
    path = CODE_DIR / SECTION_FILES[section]
    tree = ast.parse(path.read_text(), filename=str(path))
    module = ast.Module(body=[node for node in tree.body if _is_definition(node)], type_ignores=[])
    namespace = {'__name__': f'd2l_section_{section}', 'tab': Tab(), 'd2l': d2l_module}
    exec(compile(module, str(path), 'exec'), namespace)
    return namespace


def summary_lines(model, shape):
    """The "... output shape: ..." lines ``model.layer_summary(shape)`` prints."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        model.layer_summary(shape)
    return [line for line in out.getvalue().splitlines() if 'output shape' in line]
