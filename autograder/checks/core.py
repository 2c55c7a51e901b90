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
    reference ``mse`` and ``func`` it calls.
    """
    text = "\n\n".join(textwrap.dedent(inspect.getsource(function)) for function in functions)
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
    """The tag of the first known mistake whose result matches ``actual``, if any."""
    for tag, value in variants.items():
        try:
            if close(actual, value, rtol, atol):
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
    if actual_t.numel() != expected_t.numel():
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
