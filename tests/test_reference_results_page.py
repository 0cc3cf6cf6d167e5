"""The reference-results page: D2L's published accuracies and the measured runs it shows."""

import base64
import json
import re

import nbformat
from project_tools import ROOT

# -- the reference-results page ------------------------------------------------------------


def test_published_accuracies_cover_every_trained_model_and_cite_their_source():
    from book_utils import chapter_runs

    published = json.loads((ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text())
    assert set(published['runs']) == set(chapter_runs.FULL_RUNS)
    assert 'read off' in published['source'] and '1.0.3' in published['source']
    assert published['citation'] in (ROOT / 'references.bib').read_text()
    for run in published['runs'].values():
        assert 0.5 < run['val_acc'] < 1 and re.fullmatch(r'[78]\.\d', run['section'])


def _record(device, accs):
    history = [
        {
            'epoch': i + 1,
            'train_loss': 1.0 / (i + 1),
            'val_loss': 0.5,
            'val_acc': a,
            'seconds': 10.0,
            'examples_per_sec': 5000.0,
        }
        for i, a in enumerate(accs)
    ]
    return {
        'date': '2025-01-01',
        'hardware': 'test machine',
        'torch': '2.x',
        'device': device,
        'settings': {},
        'note': '',
        'final': {k: v for k, v in history[-1].items() if k != 'epoch'},
        'epochs': len(accs),
        'mean_epoch_seconds': 10.0,
        'mean_examples_per_sec': 5000.0,
        'history': history,
    }


def _markdown_outputs(nb):
    return [
        o['data']['text/markdown']
        for c in nb.cells
        if c.cell_type == 'code'
        for o in c.outputs
        if 'text/markdown' in o.get('data', {})
    ]


def test_reference_page_marks_models_without_a_gpu_run(tmp_path, monkeypatch):
    from nbclient import NotebookClient

    (tmp_path / 'd2l_published.json').write_text(
        (ROOT / 'book_utils' / 'results' / 'd2l_published.json').read_text()
    )
    (tmp_path / 'full.json').write_text(
        json.dumps(
            {
                'profile': 'full',
                'runs': {
                    'resnet18': _record('cuda:0', [0.85, 0.912]),
                    'nin': _record('cpu', [0.5, 0.61]),
                },
            }
        )
    )
    (tmp_path / 'cpu.json').write_text(
        json.dumps({'profile': 'cpu', 'runs': {'lenet': _record('cpu', [0.6, 0.774])}})
    )
    monkeypatch.setenv('BOOK_RESULTS_DIR', str(tmp_path))
    nb = nbformat.read(ROOT / 'chapters' / 'reference_results.ipynb', as_version=4)
    NotebookClient(
        nb,
        timeout=120,
        kernel_name='python3',
        resources={'metadata': {'path': str(ROOT / 'chapters')}},
    ).execute()
    accuracy_table = _markdown_outputs(nb)[0]
    header, rule, *lines = accuracy_table.splitlines()
    assert header == '| Model | D2L 1.0.3 | CPU, `cpu` | GPU, `full` |'  # 4 columns fit a phone
    rows = {}
    for line in lines:
        model, d2l, cpu, gpu = [cell.strip() for cell in line.strip('|').split(' | ')]
        rows[model.split(' ', 1)[1]] = {'d2l': d2l, 'cpu': cpu, 'gpu': gpu}
    assert len(rows) == 7
    assert rows['ResNet-18']['gpu'] == '0.912 (2 epochs)'
    assert rows['NiN']['gpu'] == 'not yet measured (a 2-epoch `full` run on the CPU: 0.610)'
    assert rows['LeNet']['cpu'] == '0.774 (2 epochs)' and rows['LeNet']['gpu'] == 'not yet measured'
    for title in ['AlexNet', 'VGG-11 (channels / 4)', 'GoogLeNet', 'LeNet with batch norm']:
        assert rows[title] == {
            'd2l': rows[title]['d2l'],
            'cpu': 'not yet run',
            'gpu': 'not yet measured',
        }
    assert rows['ResNet-18']['d2l'] == '≈\u00a00.90'  # a no-break space keeps it on one line
    images = [
        o
        for c in nb.cells
        if c.cell_type == 'code'
        for o in c.outputs
        if {'image/png', 'image/svg+xml'} & set(o.get('data', {}))
    ]
    assert len(images) == 1  # the training curves
    png = base64.b64decode(images[0]['data']['image/png'])
    width = int.from_bytes(png[16:20], 'big')  # the PNG header's IHDR width
    # A phone's column is about 360 px wide: shown at 0.7 of its size or more, its 11 pt text
    # stays about 11 px high.
    assert 300 <= width <= 500, width
