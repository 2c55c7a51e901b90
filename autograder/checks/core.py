"""The building blocks every check uses."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Callable
from typing import Any

from autograder.wire import SourceCode


class Mistake(AssertionError):
    """A wrong answer, with the tag of the mistake it matches (``None`` if unknown)."""

    def __init__(self, message: str, tag: str | None = None) -> None:
        super().__init__(message)
        self.tag = tag


def mistake(tag: str, what: str = "") -> Mistake:
    """A ``Mistake`` for ``tag`` whose message is ``what`` followed by the catalogue's sentence."""
    from autograder.mistakes import explain

    return Mistake(f"{what} {explain(tag)}".strip(), tag)


def source_of(*functions: Callable[..., Any]) -> dict[str, SourceCode]:
    """Module-level reference functions as ``SourceCode`` that can travel to the sandbox.

    All of them are defined together, so a reference ``apply_step`` finds the
    reference ``mse`` and ``func`` it calls, after the imports of the references
    module they come from (``import math``, ...).
    """
    from autograder.checks.references import IMPORTS

    imports = dict.fromkeys(getattr(function, "__globals__", {}).get(IMPORTS, "") for function in functions)
    sources = [textwrap.dedent(inspect.getsource(function)) for function in functions]
    text = "\n\n".join([header for header in imports if header] + sources)
    return {function.__name__: SourceCode(text, function.__name__) for function in functions}


def isolated(function: Callable[..., Any], *references: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` run with some of its globals replaced by ``references``.

    So that a question is graded on its own: ``apply_step`` is checked with the
    reference ``mse`` and ``func``, and a wrong ``mse`` loses points only once.
    Works for a student function in the sandbox and for a local one.
    """
    sources = source_of(*references)
    if hasattr(function, "with_globals"):
        return function.with_globals(**sources)
    namespace = getattr(function, "__globals__", None)
    if namespace is None:
        return function

    def run(*args: Any, **kwargs: Any) -> Any:
        saved = {name: namespace[name] for name in sources if name in namespace}
        namespace.update(sources)
        try:
            return function(*args, **kwargs)
        finally:
            for name in sources:
                namespace.pop(name, None)
            namespace.update(saved)

    return run


def changing(function: Callable[..., Any], *positions: int) -> Callable[..., Any]:
    """``function``, declared to update its arguments at ``positions`` in place.

    A student function in the sandbox works on copies of its arguments; only these
    positions are read back into the caller's tensors (a local function updates
    them itself).  Every other argument stays as the check made it.
    """
    if hasattr(function, "changing"):
        return function.changing(*positions)
    return function


def value_and_gradient(function: Callable[..., Any], wrt: int, *args: Any) -> tuple[Any, Any]:
    """``function(*args)`` and the gradient of its sum w.r.t. ``args[wrt]`` (None if not connected).

    The gradient is computed where the function ran, from the graph its result
    carries, so it shows whether the result is connected to that input, not only
    whether it claims ``requires_grad``.
    """
    import torch

    if hasattr(function, "value_and_gradient"):
        return function.value_and_gradient(wrt, *args)
    value = function(*args)
    try:
        gradient = torch.autograd.grad(value.sum(), args[wrt], allow_unused=True)[0]
    except (RuntimeError, AttributeError, TypeError):
        gradient = None
    return value, gradient


def expect_connected(gradient: Any, expected: Any, what: str) -> None:
    """A ``no-autograd`` mistake unless ``gradient`` (from ``value_and_gradient``) is ``expected``."""
    import torch

    if not isinstance(gradient, torch.Tensor) or not close(gradient, expected, rtol=1e-3, atol=1e-4):
        raise mistake("no-autograd", f"{what} has the right value but")


def as_tensor(value: Any, what: str) -> Any:
    """``value`` as a float64 tensor, or a ``Mistake`` saying what it should have been."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().to(torch.float64)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return torch.tensor(float(value), dtype=torch.float64)
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return torch.tensor([float(v) for v in value], dtype=torch.float64)
    if is_unanswered(value):
        raise mistake("not-implemented", f"{what} is still `...`.")
    name = getattr(value, "type_name", type(value).__name__)
    raise Mistake(f"{what} should be a tensor (or a number), not {name}.", "wrong-type")


def entries(value: Any) -> list[Any] | None:
    """A history as a list of entries: a list, a tuple or a tensor's rows; None for anything else."""
    import torch

    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, torch.Tensor) and value.dim() >= 1:
        return list(value.unbind(0))
    return None


def is_unanswered(value: Any) -> bool:
    """True for ``...``, the placeholder a student notebook starts with (also as sent back from the sandbox)."""
    return value is Ellipsis or getattr(value, "type_name", None) == "ellipsis"


def close(actual: Any, expected: Any, rtol: float = 1e-4, atol: float = 1e-5) -> bool:
    """True when two tensors have the same shape and values (NaN never matches)."""
    import torch

    actual, expected = as_tensor(actual, "value"), as_tensor(expected, "value")
    if actual.shape != expected.shape:
        if actual.numel() == expected.numel() == 1:
            actual, expected = actual.reshape(()), expected.reshape(())
        else:
            return False
    return bool(torch.allclose(actual, expected, rtol=rtol, atol=atol))


def diagnose(actual: Any, variants: dict[str, Any], rtol: float = 1e-4, atol: float = 1e-5) -> str | None:
    """The tag of the first known mistake whose result matches ``actual``, if any.

    A variant is one value, or a list of values that the same mistake can give.
    """
    for tag, value in variants.items():
        for candidate in value if isinstance(value, list) else [value]:
            try:
                if close(actual, candidate, rtol, atol):
                    return tag
            except Mistake:
                return None
    return None


def expect_close(
    actual: Any,
    expected: Any,
    what: str,
    variants: dict[str, Any] | None = None,
    rtol: float = 1e-4,
    atol: float = 1e-5,
) -> None:
    """Raise a ``Mistake`` naming the matching mistake unless ``actual`` equals ``expected``."""
    from autograder.mistakes import explain

    actual_t = as_tensor(actual, what)
    expected_t = as_tensor(expected, what)
    if close(actual_t, expected_t, rtol, atol):
        return
    tag = diagnose(actual_t, variants or {}, rtol, atol)
    if tag is not None:
        raise Mistake(f"{what} is not right. {explain(tag)}", tag)
    if actual_t.shape != expected_t.shape and (actual_t.numel() != expected_t.numel()
                                               or close(actual_t.reshape(expected_t.shape), expected_t, rtol, atol)):
        raise Mistake(
            f"{what} has shape {tuple(actual_t.shape)}, expected {tuple(expected_t.shape)}.", "wrong-shape"
        )
    # The expected value of a hidden test is never printed: a student could copy it.
    raise Mistake(
        f"{what} is not right (your code gave {short(actual_t)}), and it matches none of the mistakes "
        "the grader knows: check it against the question's instructions."
    )


def short(value: Any) -> str:
    """A compact printout of a tensor for feedback messages."""
    import torch

    if isinstance(value, torch.Tensor):
        flat = value.reshape(-1)
        items = ", ".join(f"{x:.4g}" for x in flat[:6].tolist())
        return f"[{items}{', ...' if flat.numel() > 6 else ''}]" if value.dim() else f"{value.item():.6g}"
    return repr(value)[:80]


def call_keeping(function: Callable[..., Any], position: int, *args: Any) -> tuple[Any, Any]:
    """``function(*args)``, and ``args[position]`` as the call left it: values, ``requires_grad`` and ``.grad``.

    For calling a function again on what it left, as a notebook does when it calls it
    twice on the same tensor: the state is only handed to the next call, never judged.
    A student function in the sandbox works on a copy, so the copy comes back.
    """
    if hasattr(function, "send"):
        from autograder.remote import decode_reply

        reply = function.send(args, {}, {"read_back": [position]})
        after = reply.get("args_after")
        left = decode_reply(function.__name__, after.get(str(position))) if isinstance(after, dict) else None
        return decode_reply(function.__name__, reply.get("value")), left
    return function(*args), args[position]
