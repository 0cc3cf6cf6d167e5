"""The licence is stated once and agrees everywhere: MIT for code, CC BY-SA 4.0 for text, D2L credited."""

import tomllib
from project_tools import ROOT

D2L_AUTHORS = ('Zhang', 'Lipton', 'Li', 'Smola')


def test_licence_file_has_both_licences_and_credits_d2l():
    text = (ROOT / 'LICENSE').read_text()
    assert 'MIT License' in text and 'Permission is hereby granted' in text
    assert 'Attribution-ShareAlike 4.0 International Public License' in text
    assert 'Dive into Deep Learning' in text and all(a in text for a in D2L_AUTHORS)


def test_pyproject_names_the_code_licence():
    project = tomllib.loads((ROOT / 'pyproject.toml').read_text())['project']
    assert project['license'] == {'text': 'MIT'}
    assert 'License :: OSI Approved :: MIT License' in project['classifiers']


def test_readme_and_intro_credit_d2l_with_its_licence():
    for page in ('README.md', 'chapters/intro.md'):
        text = (ROOT / page).read_text()
        assert 'Dive into Deep Learning' in text and 'd2l.ai' in text, page
        assert 'CC BY-SA 4.0' in text and all(a in text for a in D2L_AUTHORS), page
