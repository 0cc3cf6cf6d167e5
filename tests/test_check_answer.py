"""d2l.check_answer: right answers pass, students' wrong ones fail with one counterexample,
stubs and crashes never raise, the reference never shows, every call draws new cases."""

import re

import pytest
import torch
from answer_fixtures import RIGHT
from torch import nn
from torch.nn import functional as F

import book_utils as d2l
from book_utils.answers import checks, exercise_ids, nested_parts, run_check

IDS = [c.id for c in checks()]


def test_enough_checks_in_every_section_and_the_ones_the_issue_names():
    assert len(IDS) >= 25
    sections = {'.'.join(i.split('.')[:2]) for i in IDS}
    assert sections == {f'7.{n}' for n in range(1, 7)} | {f'8.{n}' for n in range(1, 7)}
    for named in [
        '7.2.4',
        '7.3.1',
        '7.3.3',
        '7.4.1.1',
        '7.5.1',
        '7.5.3.1',
        '7.5.3.2',
        '7.5.6',
        '8.1.1.1',
        '8.2.1.1',
        '8.3.4.1',
    ]:
        assert named in IDS


def test_check_ids_are_d2l_exercises_or_parts():
    exercises, parts = set(exercise_ids()), nested_parts()
    assert len(exercises) == 70
    for i in IDS:
        exercise = '.'.join(i.split('.')[:3])
        assert exercise in exercises, i
        assert i == exercise or i in parts[exercise], i


@pytest.mark.parametrize('id', IDS)
def test_a_right_answer_passes_on_fresh_cases(id):
    for _ in range(2):
        verdict = d2l.check_answer(id, RIGHT[id])
        assert verdict, verdict
        assert str(verdict).startswith(f'{id} passed')
    assert run_check(next(c for c in checks() if c.id == id), RIGHT[id], hidden=True)


@pytest.mark.parametrize('id', IDS)
def test_the_stub_runs_and_says_not_answered_yet(id):
    check = next(c for c in checks() if c.id == id)
    space = {'d2l': d2l, 'torch': torch, 'nn': nn, 'F': F}
    exec(
        check.stub.replace(
            f"d2l.check_answer('{id}', {check.name})",
            f"verdict = d2l.check_answer('{id}', {check.name})",
        ),
        space,
    )
    assert check.name in space
    assert not space['verdict'] and 'not answered yet' in repr(space['verdict'])


def wrong_max(a, b):  # the submitted formula of issue 23
    return (a + b + F.relu(a - b)) / 2


class PixelsAsChannels(nn.Module):  # "max pooling" that returns each window's pixels as channels
    def __init__(self, k):
        super().__init__()
        self.k = k

    def forward(self, X):
        n, c, h, w = X.shape
        pick = torch.eye(self.k * self.k).reshape(-1, 1, self.k, self.k)
        return F.relu(F.conv2d(X.reshape(n * c, 1, h, w), pick)).reshape(
            n, -1, h - self.k + 1, w - self.k + 1
        )


def off_by_one(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):  # forgets the + 1
    return ((n_h - k_h + 2 * p_h) // s_h, (n_w - k_w + 2 * p_w) // s_w)


def half_padding(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):  # D2L's total-padding formula, per side
    return ((n_h - k_h + p_h + s_h) // s_h, (n_w - k_w + p_w + s_w) // s_w)


def only_the_book_example(n_h, n_w, k_h, k_w, p_h, p_w, s_h, s_w):  # special-cases a fixed case
    return (2, 2)


def alexnet_no_biases(num_classes):
    conv = 96 * 121 + 256 * 96 * 25 + 384 * 256 * 9 + 384 * 384 * 9 + 256 * 384 * 9
    return conv, 6400 * 4096 + 4096 * 4096 + 4096 * num_classes


def vgg_no_biases(arch, num_classes):
    total, c = 0, 1
    for n, out in arch:
        for _ in range(n):
            total, c = total + 9 * c * out, out
    return total + c * 49 * 4096 + 4096 * 4096 + 4096 * num_classes


def avg_by_pooling(X, k, s):
    return nn.AvgPool2d(k, s)(X)


def max_pool_by_max(k):
    return nn.MaxPool2d(k, stride=1)


def max_of_mean(a, b):
    return (a + b) / 2 + (a - b).abs() / 2 * 0.9


class PostActivation(nn.Module):  # the original order: conv, BN, ReLU, and ReLU after the sum
    def __init__(self, num_channels, use_1x1conv=False, strides=1):
        super().__init__()
        self.block = d2l.Residual(num_channels, use_1x1conv, strides)

    def forward(self, X):
        return self.block(X)


WRONG = [
    (
        '7.5.3.1',
        wrong_max,
        r'your max\(-?\d+\.\d, -?\d+\.\d\) returned -?[\d.]+; expected -?[\d.]+\.',
    ),
    ('7.5.3.1', max_of_mean, r'your max\('),
    ('7.5.3.2', PixelsAsChannels, r'channels for \d'),
    ('7.5.3.2', max_pool_by_max, r'called .*MaxPool2d'),
    ('7.3.1', off_by_one, r'returned \(\d+, \d+\); nn.Conv2d gives'),
    ('7.3.1', half_padding, r'returned \(\d+, \d+\); nn.Conv2d gives'),
    ('7.3.1', only_the_book_example, r'nn.Conv2d gives'),
    ('8.1.1.1', alexnet_no_biases, r'forgets the biases'),
    ('8.2.1.1', vgg_no_biases, r'forgets the biases'),
    ('7.5.1', avg_by_pooling, r'called .*AvgPool2d'),
    ('8.6.4', PostActivation, r'convolution before batch normalization|returns X'),
]


@pytest.mark.parametrize('id, answer, says', WRONG, ids=[f'{i}-{a.__name__}' for i, a, _ in WRONG])
def test_a_wrong_answer_fails_with_one_counterexample(id, answer, says):
    for _ in range(3):  # fresh cases every time; each must catch it
        verdict = d2l.check_answer(id, answer)
        assert not verdict
        assert re.search(says, verdict.message), verdict.message
        assert verdict.message.count('your ') == 1  # one counterexample, not a list


def test_the_issue_example_reads_as_the_issue_says():
    check = next(c for c in checks() if c.id == '7.5.3.1')
    for seed in range(400):
        verdict = run_check(check, wrong_max, seed=seed)
        if '(-1.0, 2.0)' in verdict.message:
            assert verdict.message == 'your max(-1.0, 2.0) returned 0.5; expected 2.0.'
            return
    pytest.fail('the pair (-1, 2) is among the cases but never came first')


def test_counts_never_reveal_the_reference():
    verdict = d2l.check_answer('8.3.4.1', lambda k: 12345)
    assert not verdict and 'too small' in verdict.message
    assert not re.search(r'\d{5,}', verdict.message.replace('12345', ''))


def test_crashing_and_unfinished_answers_never_raise():
    def crashes(a, b):
        return a / 0 + undefined_name  # noqa: F821

    verdict = d2l.check_answer('7.5.3.1', crashes)
    assert not verdict and 'NameError' in verdict.message

    def stub(a, b):
        """still to do"""
        ...

    verdict = d2l.check_answer('7.5.3.1', stub)
    assert not verdict and not verdict.answered and 'not answered yet' in repr(verdict)
    assert not d2l.check_answer('7.5.3.1', ...)
    assert not d2l.check_answer('8.6.3', 42)  # not a class: a verdict, not an exception


def test_an_unknown_id_raises_value_error_naming_the_ids():
    with pytest.raises(ValueError, match=r"no check for exercise '7.5.9'.*7\.5\.3\.1.*8\.6\.4"):
        d2l.check_answer('7.5.9', wrong_max)


def test_cases_are_fresh_at_every_call_and_the_global_rng_is_untouched():
    seen = set()

    def spy(a, b):
        seen.add(tuple(a[:8].tolist()))
        return torch.maximum(a, b)

    state = torch.get_rng_state()
    for _ in range(3):
        d2l.check_answer('7.5.3.1', spy)
    assert len(seen) == 3
    assert torch.equal(state, torch.get_rng_state())


def test_forbidden_functions_are_restored_after_a_check():
    before = (F.max_pool2d, torch.max, torch.Tensor.max, nn.MaxPool2d.forward)
    d2l.check_answer('7.5.3.2', max_pool_by_max)
    assert (F.max_pool2d, torch.max, torch.Tensor.max, nn.MaxPool2d.forward) == before
    assert 'max' not in vars(torch.Tensor)
    assert torch.tensor([1.0, 3.0]).max() == 3.0
