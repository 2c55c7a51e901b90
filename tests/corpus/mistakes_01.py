"""Mistakes students make in 01-autograd, one per notebook."""

from tests.corpus import Edit, Variant

A = "01-autograd"
RSS = "return -2 / n * X.T @ (y - X @ w)  # SOLUTION"
UPDATE = "        with torch.no_grad():\n            x -= lr * x.grad\n"


def rss(new: str) -> tuple[Edit, ...]:
    """The closed form replaced by ``new``."""
    return (Edit(RSS, f"return {new}  # SOLUTION"),)


MISTAKES = [
    Variant("view-swapped", A, "q1-as-batch", "view-swapped",
            (Edit("return x.view(-1, d)  # SOLUTION", "return x.view(d, -1)  # SOLUTION"),)),
    Variant("view-hard-coded", A, "q1-as-batch", "hard-coded",
            (Edit("return x.view(-1, d)  # SOLUTION", "return x.view(-1, 3)  # SOLUTION"),)),
    Variant("f-detached", A, "q2-derivative", "no-autograd",
            (Edit("return (x - 2) ** 2  # SOLUTION", "return ((x - 2) ** 2).detach()  # SOLUTION"),)),
    Variant("value-not-derivative", A, "q2-derivative", "value-not-derivative",
            (Edit("return x.grad.item()", "return y.item()"),)),
    Variant("seed-gradient", A, "q3-gradient", "seed-gradient",
            (Edit("grad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))  # SOLUTION",
                  "grad_g_at_pi = torch.tensor([2.0, math.pi - 1])  # SOLUTION"),)),
    Variant("gradient-on-callers-w", A, "q3-gradient", "stale-grad",
            (Edit("w = w.detach().clone().requires_grad_(True)", "w.requires_grad_(True)"),)),
    Variant("descent-sign-flipped", A, "q4-gradient-descent", "sign-flipped",
            (Edit("x -= lr * x.grad", "x += lr * x.grad"),)),
    Variant("descent-grad-not-reset", A, "q4-gradient-descent", "grad-not-reset",
            (Edit("        x.grad.zero_()\n", ""),)),
    Variant("descent-extra-step", A, "q4-gradient-descent", "steps-off-by-one",
            (Edit("for _ in range(steps):", "for _ in range(steps + 1):"),)),
    Variant("descent-outside-no-grad", A, "q4-gradient-descent", "update-tracked-by-autograd",
            (Edit(UPDATE, "        x -= lr * x.grad\n"),)),
    Variant("descent-rebound", A, "q4-gradient-descent", "grad-is-none",
            (Edit(UPDATE, "        x = x - lr * x.grad\n"),)),
    Variant("descent-rebound-in-no-grad", A, "q4-gradient-descent", "params-rebound",
            (Edit(UPDATE + "        x.grad.zero_()\n", "        with torch.no_grad():\n            x = x - lr * x.grad\n"),)),
    Variant("descent-hard-coded", A, "q4-gradient-descent", "hard-coded",
            (Edit("    return x.item()", "    return 2.0"),)),
    Variant("rss-missing-1-over-n", A, "q5-rss-gradient", "missing-1-over-n", rss("-2 * X.T @ (y - X @ w)")),
    Variant("rss-missing-factor-2", A, "q5-rss-gradient", "missing-factor-2", rss("-1 / n * X.T @ (y - X @ w)")),
    Variant("rss-sign-flipped", A, "q5-rss-gradient", "rss-sign-flipped", rss("2 / n * X.T @ (y - X @ w)")),
    Variant("rss-n-minus-1", A, "q5-rss-gradient", "wrong-constant", rss("-2 / (n - 1) * X.T @ (y - X @ w)")),
    Variant("rss-global-n", A, "q5-rss-gradient", "global-n", (Edit("    n = X.shape[0]  # SOLUTION\n", ""),)),
    Variant("rss-hard-coded", A, "q5-rss-gradient", "hard-coded", rss("torch.tensor([[-8 / 3], [-10 / 3]])")),
]
