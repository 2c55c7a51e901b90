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

from autograder.mistakes import EXCEPTION_PATTERNS, MISTAKES

IMPORT_LINE = "from autograder.public_checks import *"
COPIED = "# ---- copied into the notebooks ----"


def inline(cell: str) -> str:
    """``cell`` with ``IMPORT_LINE`` replaced by the helpers and the sentences the cell uses."""
    if IMPORT_LINE not in cell:
        return cell
    used = [tag for tag in re.findall(r"[\"']([a-z0-9-]+)[\"']", cell) if tag in MISTAKES]
    used += list(EXCEPTION_PATTERNS.values())
    sentences = {tag: MISTAKES[tag] for tag in dict.fromkeys(used)}
    source = open(__file__, encoding="utf-8").read().split(f"\n{COPIED}\n", 1)[1].strip()
    code = f"_SENTENCES = {sentences!r}\n_RAISES = {EXCEPTION_PATTERNS!r}\n{source}\n"
    # one doctest example, so that a failing check's transcript shows one line of it, not every helper
    return cell.replace(IMPORT_LINE, f"exec(compile({code!r}, 'public_checks', 'exec'))")


_SENTENCES, _RAISES = MISTAKES, EXCEPTION_PATTERNS  # in a notebook: only the ones a test uses

# ---- copied into the notebooks ----
_GRADER_ERRORS = ("SandboxBroken", "StudentError")  # the judge's own: let them through


def _shown(value):
    """A short printout of a value (tensors as lists of numbers)."""
    if isinstance(value, torch.Tensor):
        value = value.detach()
        text = str([round(v, 4) for v in value.reshape(-1).tolist()]) if value.dim() else f"{value.item():.6g}"
        return text if value.dim() <= 1 else f"{text} (shape {tuple(value.shape)})"
    if isinstance(value, float):
        return f"{value:.6g}"
    return repr(value)[:120]


def _close(actual, expected, tol=1e-4):
    """True when ``actual`` has the value (and number of elements) of ``expected``."""
    try:
        actual = torch.as_tensor(actual.detach() if isinstance(actual, torch.Tensor) else actual, dtype=torch.float64)
        expected = torch.as_tensor(expected, dtype=torch.float64)
    except (TypeError, ValueError, RuntimeError):
        return False
    if actual.numel() != expected.numel():
        return False
    return bool(torch.allclose(actual.reshape(expected.shape), expected, rtol=tol, atol=tol))


def _named(tag):
    return " " + _SENTENCES[tag] if tag else ""


def call(text, function, *args):
    """``function(*args)``, or a failure saying what ``text`` raised and which mistake that is."""
    import contextlib
    import io

    try:
        with contextlib.redirect_stdout(io.StringIO()):  # what it prints is not the check's output
            return function(*args)
    except Exception as error:
        if type(error).__name__ in _GRADER_ERRORS:
            raise
        tag = next((tag for pattern, tag in _RAISES.items() if pattern in str(error)), None)
        if tag == "no-autograd" and text.split("(")[0] in ("apply_step", "train_manual", "gradient_descent",
                                                         "train_sgd", "fit_sgd"):
            tag = "params-rebound"
        raise AssertionError(f"{text} raised {type(error).__name__}: {error}.{_named(tag)}") from None


def expect(text, returned, expected, mistakes=None, tol=1e-4, uses=None):
    """Pass if ``returned`` equals ``expected``; else say what was checked and name the mistake.

    ``mistakes`` maps a mistake's tag to what that mistake returns here; ``uses`` names
    other questions' functions this check relies on, as ``(label, passes its own check)`` pairs.
    """
    if _close(returned, expected, tol):
        return
    if returned is Ellipsis:
        raise AssertionError(f"{text} returned `...`.{_named('not-implemented')}")
    tag = next((tag for tag, value in (mistakes or {}).items() if _close(returned, value, tol)), None)
    message = f"{text} returned {_shown(returned)}; expected {_shown(expected)}.{_named(tag)}"
    raise AssertionError(message + _blame(uses))


def expect_true(text, condition, tag=None, uses=None):
    """Pass if ``condition``; else fail with ``text`` and the named mistake."""
    if not condition:
        raise AssertionError(f"{text}{_named(tag)}{_blame(uses)}")


def works(function, args, expected, tol=1e-4):
    """True when ``function(*args)`` returns ``expected`` (another question's function, checked quietly)."""
    try:
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
