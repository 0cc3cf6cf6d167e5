"""tools/maths_lint.py: finds the formulas that a list marker cuts in two, and only those."""

import nbformat
from project_tools import load_tool

maths_lint = load_tool('maths_lint')
split_maths = maths_lint.split_maths


def test_split_maths_finds_formulas_cut_by_a_list_marker():
    assert split_maths('$(a - b\n+ 1)$ output') == ['line 2: + 1)$ output']
    assert split_maths('- item $x$\n- item $y$') == []
    assert split_maths('$a$ and\n- $b$') == []
    assert split_maths('$$a\n- b$$') == ['line 2: - b$$']
    assert split_maths('cost $\\$5$ each\n1. first') == []
    assert split_maths('`$x` then\n- y') == []
    assert split_maths('```python\nx = "$"\n```\n- y') == []
    assert split_maths('```{admonition} Answer\n$a\n* b$\n```') == ['line 3: * b$']
    assert split_maths('an open $x') == ['the cell ends inside $...$']
    assert split_maths('````{tip}\n```python\nx = 1\n```\n````\n$a\n- b$') == ['line 7: - b$']


def test_the_command_names_the_notebook_and_cell_and_fails(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell('fine $x$'),
        nbformat.v4.new_markdown_cell('$(a - b\n+ 1)$ output'),
    ]
    path = tmp_path / 'cut.ipynb'
    nbformat.write(nb, path)
    assert maths_lint.main([str(path)]) == 1
    assert capsys.readouterr().out == f'{path}: markdown cell 1, line 2: + 1)$ output\n'
    nb.cells = nb.cells[:1]
    nbformat.write(nb, path)
    assert maths_lint.main([str(path)]) == 0
