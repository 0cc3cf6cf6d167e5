"""book_utils.results: the writer (record_run) and the reader (load) meet in one folder."""

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
import torch
from project_tools import load_tool

from book_utils import results

ROOT = Path(__file__).resolve().parent.parent


def _trainer(accs, profile='cpu'):
    history = [
        {
            'epoch': i + 1,
            'train_loss': 1.0,
            'val_loss': 0.5,
            'val_acc': a,
            'seconds': 2.0 * (i + 1),
            'examples_per_sec': 100.0,
        }
        for i, a in enumerate(accs)
    ]
    return SimpleNamespace(
        history=history, device=torch.device('cpu'), profile=SimpleNamespace(name=profile)
    )  # what record_run reads


def test_reader_defaults_to_the_package_folder_the_notebook_runner_writes_to(monkeypatch):
    monkeypatch.delenv(results.DIR_VARIABLE, raising=False)
    folder = Path(str(results.folder()))
    assert folder == Path(results.__file__).parent
    runner = load_tool('execute_notebooks')
    if folder.is_relative_to(ROOT):  # run from a checkout: the runner writes where load reads
        assert runner.RESULTS == folder and runner.TIMES.parent == folder
    published = results.load('d2l_published')
    assert published == json.loads((folder / 'd2l_published.json').read_text())
    assert results.load('a_profile_never_run') == {}


def test_record_run_merges_into_the_profile_file_that_load_reads(tmp_path, monkeypatch):
    monkeypatch.setenv(results.DIR_VARIABLE, str(tmp_path))
    run = SimpleNamespace(lr=0.1, resize=(28, 28), note='unchanged')
    first = results.record_run('lenet', _trainer([0.5, 0.7]), run)
    results.record_run('nin', _trainer([0.4]), None)
    saved = results.load('cpu')
    assert saved['profile'] == 'cpu' and set(saved['runs']) == {'lenet', 'nin'}
    lenet = saved['runs']['lenet']
    assert lenet['epochs'] == 2 and lenet['final']['val_acc'] == 0.7 == first['final']['val_acc']
    assert lenet['mean_epoch_seconds'] == 3.0
    assert lenet['settings'] == {'lr': 0.1, 'resize': [28, 28]} and lenet['note'] == 'unchanged'
    results.record_run('lenet', _trainer([0.8]), run)  # a rerun replaces its record
    assert results.load('cpu')['runs']['lenet']['epochs'] == 1
    assert set(results.load('cpu')['runs']) == {'lenet', 'nin'}


def test_record_run_writes_nothing_without_the_variable(tmp_path, monkeypatch):
    monkeypatch.delenv(results.DIR_VARIABLE, raising=False)
    folder = Path(str(results.folder()))
    before = {p.name: p.stat().st_mtime_ns for p in folder.glob('*.json')}
    record = results.record_run('lenet', _trainer([0.6]))
    assert record['final']['val_acc'] == 0.6
    assert {p.name: p.stat().st_mtime_ns for p in folder.glob('*.json')} == before
    assert results.record_run('lenet', SimpleNamespace(history=[])) is None


@pytest.mark.parametrize('name', ['cpu.json', '../cpu', '', 3])
def test_load_names_a_file_stem(name):
    with pytest.raises(ValueError, match='file stem'):
        results.load(name)
