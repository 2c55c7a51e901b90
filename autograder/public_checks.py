"""Public checks that name the mistake, copied into the student notebooks.

A public test cell of a master notebook says ``from autograder.public_checks import *``;
``python -m autograder.build assign`` replaces that line with the code below ``COPIED``
(plain Python and torch, nothing of the grader) and with the catalogue's sentences
(``autograder/mistakes.py``) for the mistakes that cell names, so a student's notebook
needs no project code and says what the hidden tests say.  The values a test compares
with are written in the test: public inputs and what the right answer and known
mistakes give on them, never a hidden input or reference code.

The same code runs in the grader's judge, where student functions are proxies: a failed
call there raises the grader's own errors, which these helpers let through.
"""

from __future__ import annotations

import re

import torch

from autograder.mistakes import EXCEPTION_PATTERNS, MISTAKES, UPDATE_LOOPS

IMPORT_LINE = "from autograder.public_checks import *"
COPIED = "# ---- copied into the notebooks ----"


def inline(cell: str) -> str:
    """``cell`` with ``IMPORT_LINE`` replaced by the helpers and the sentences the cell uses."""
    if IMPORT_LINE not in cell:
        return cell
    used = [tag for tag in re.findall(r"[\"']([a-z0-9-]+)[\"']", cell) if tag in MISTAKES]
    used += [*EXCEPTION_PATTERNS.values(), "params-rebound"]  # what `call` names from an exception
    sentences = {tag: MISTAKES[tag] for tag in dict.fromkeys(used)}
    source = open(__file__, encoding="utf-8").read().split(f"\n{COPIED}\n", 1)[1].strip()
    code = (f"_SENTENCES = {sentences!r}\n_RAISES = {EXCEPTION_PATTERNS!r}\n"
            f"_UPDATE_LOOPS = {sorted(UPDATE_LOOPS)!r}\n{source}\n")
    # one doctest example, so that a failing check's transcript shows one line of it, not every helper
    return cell.replace(IMPORT_LINE, f"exec(compile({code!r}, 'public_checks', 'exec'))")


_SENTENCES, _RAISES, _UPDATE_LOOPS = MISTAKES, EXCEPTION_PATTERNS, UPDATE_LOOPS  # in a notebook: the ones a test uses

# ---- copied into the notebooks ----
_GRADER_ERRORS = ("SandboxBroken", "StudentError")  # the judge's own: let them through
_FAILED = []  # this test's first failure: the checks after it stay quiet, so it is the one a student reads


def _fail(message):
    _FAILED.append(message)
    raise AssertionError(message)


def _shown(value):
    """A short printout of a value (tensors and lists of them as lists of numbers)."""
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float, bool)):
        try:
            value = _numbers(value)
        except (TypeError, ValueError, RuntimeError):
            pass
    if isinstance(value, torch.Tensor):
        value = value.detach()
        text = str([round(v, 4) for v in value.reshape(-1).tolist()]) if value.dim() else f"{value.item():.6g}"
        return text if value.dim() <= 1 else f"{text} (shape {tuple(value.shape)})"
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)[:120]


def _numbers(value):
    """``value`` (a number, tensor, array, or list of them) as one float64 tensor."""
    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    if isinstance(value, (list, tuple)) and value and not isinstance(value[0], (int, float, bool)):
        return torch.stack([_numbers(item) for item in value])
    return torch.as_tensor(value, dtype=torch.float64)


def _close(actual, expected, tol=1e-4):
    """True when ``actual`` has the value (and number of elements) of ``expected``."""
    try:
        actual, expected = _numbers(actual), _numbers(expected)
    except (TypeError, ValueError, RuntimeError):
        return False
    if actual.numel() != expected.numel():
        return False
    return bool(torch.allclose(actual.reshape(expected.shape), expected, rtol=tol, atol=tol, equal_nan=True))


def _shape(value):
    try:
        return tuple(_numbers(value).shape)
    except (TypeError, ValueError, RuntimeError):
        return None


def _named(tag):
    return " " + _SENTENCES[tag] if tag in _SENTENCES else ""


def call(text, function, *args, raises=None):
    """``function(*args)``, or a failure saying what ``text`` raised and which mistake that is.

    What the function prints is not the check's output, so it is thrown away.  ``raises`` maps
    a piece of an exception's message to the mistake it reveals, beside the catalogue's own.
    """
    try:
        with _quiet():
            return function(*args)
    except Exception as error:
        if type(error).__name__ in _GRADER_ERRORS:
            raise
        if _FAILED:  # an earlier check of this test failed: that is the news
            return None
        patterns = {**_RAISES, **(raises or {})}
        tag = next((tag for pattern, tag in patterns.items() if pattern in str(error)), None)
        if tag == "no-autograd" and getattr(function, "__name__", "") in _UPDATE_LOOPS:  # as mistake_for_exception
            tag = "params-rebound"
        _fail(f"{text} raised {type(error).__name__}: {error}.{_named(tag)}")


def _quiet():
    """Throw away what is printed meanwhile."""
    import contextlib
    import io

    return contextlib.redirect_stdout(io.StringIO())


def expect(text, returned, expected, mistakes=None, tol=1e-4, uses=None, accept=()):
    """Pass if ``returned`` equals ``expected`` (or one of the right answers in ``accept``);
    else say what was checked and name the mistake.

    ``mistakes`` maps a mistake's tag to what that mistake returns here (or lists such
    ``(tag, value)`` pairs, when a mistake has several values); ``uses`` names
    other questions' functions this check relies on, as ``(label, passes its own check)``
    pairs: while one of them fails, that is what the failure says, not a mistake of this one.
    """
    if _FAILED or any(_close(returned, right, tol) for right in (expected, *accept)):
        return
    if returned is Ellipsis:
        _fail(f"{text} returned `...`.{_named('not-implemented')}")
    pairs = mistakes.items() if isinstance(mistakes, dict) else mistakes or ()
    tag = next((tag for tag, value in pairs if _close(returned, value, tol)), None)
    blame = _blame(uses)
    message = f"{text} returned {_shown(returned)}; expected {_shown(expected)}."
    _fail(message + (blame or _named(tag)))


def expect_shape(text, returned, shape, mistakes=None, uses=None):
    """Pass if ``returned`` has the shape ``shape``; else name the mistake whose shape it has (``mistakes``)."""
    if _FAILED:
        return
    if returned is Ellipsis:
        _fail(f"{text} returned `...`.{_named('not-implemented')}")
    got = _shape(returned)
    if got == tuple(shape):
        return
    tag = next((tag for tag, value in (mistakes or {}).items() if got == tuple(value)), None)
    message = f"{text} returned a value of shape {got}; expected shape {tuple(shape)}."
    _fail(message + (_blame(uses) or _named(tag)))


def expect_true(text, condition, tag=None, uses=None):
    """Pass if ``condition``; else fail with ``text`` and the named mistake."""
    if not _FAILED and not condition:
        _fail(f"{text}{_blame(uses) or _named(tag)}")


def works(function, args, expected, tol=1e-4):
    """True when ``function(*args)`` returns ``expected`` (another question's function, checked quietly)."""
    try:
        with _quiet():
            return _close(function(*args), expected, tol)
    except Exception as error:
        if type(error).__name__ == "SandboxBroken":
            raise
        return False


def _blame(uses):
    """What to fix first when this check relies on other questions' functions that fail their checks."""
    failing = [label for label, passes in (uses or []) if not passes]
    if not failing:
        return ""
    return (f" This check uses your {' and your '.join(failing)}, which fails its own public check:"
            " fix that question first, then run this check again.")
