"""Mistakes students make in 02-quadratic-fit, one per notebook."""

from tests.corpus import Edit, Variant

A = "02-quadratic-fit"
STEP = "    params.data -= lr * params.grad\n    params.grad = None\n    return loss.item()"

MISTAKES = [
    Variant("coefficients-swapped", A, "q1-func", "coefficients-swapped",
            (Edit("a, b, c = params  # SOLUTION", "c, b, a = params  # SOLUTION"),)),
    Variant("func-detached", A, "q1-func", "no-autograd",
            (Edit("return a * (t**2) + (b * t) + c  # SOLUTION",
                  "return (a * (t**2) + (b * t) + c).detach()  # SOLUTION"),)),
    Variant("no-intercept", A, "q1-func", "missing-term",
            (Edit("return a * (t**2) + (b * t) + c  # SOLUTION", "return a * (t**2) + (b * t)  # SOLUTION"),)),
    Variant("squared-mean", A, "q2-mse", "squared-mean",
            (Edit("return ((preds - targets) ** 2).mean()  # SOLUTION",
                  "return (preds - targets).mean() ** 2  # SOLUTION"),)),
    Variant("lr-ignored", A, "q3-apply-step", "lr-ignored",
            (Edit("params.data -= lr * params.grad", "params.data -= params.grad"),)),
    Variant("notebook-data", A, "q3-apply-step", "uses-globals",
            (Edit("loss = mse(func(t, params), targets)", "loss = mse(func(time, params), speed)"),)),
    Variant("rmse", A, "q2-mse", "rmse-not-mse",
            (Edit("return ((preds - targets) ** 2).mean()  # SOLUTION",
                  "return ((preds - targets) ** 2).mean().sqrt()  # SOLUTION"),)),
    Variant("sum", A, "q2-mse", "sum-not-mean",
            (Edit("return ((preds - targets) ** 2).mean()  # SOLUTION",
                  "return ((preds - targets) ** 2).sum()  # SOLUTION"),)),
    Variant("mae", A, "q2-mse", "mae-not-mse",
            (Edit("return ((preds - targets) ** 2).mean()  # SOLUTION",
                  "return (preds - targets).abs().mean()  # SOLUTION"),)),
    Variant("sign-flipped", A, "q3-apply-step", "sign-flipped",
            (Edit("params.data -= lr * params.grad", "params.data += lr * params.grad"),)),
    Variant("grad-not-reset", A, "q3-apply-step", "grad-not-reset",
            (Edit("    params.grad = None\n    return loss.item()", "    return loss.item()"),)),
    Variant("params-rebound", A, "q3-apply-step", "params-rebound",
            (Edit(STEP, "    params = params - lr * params.grad\n    return loss.item()"),)),
    Variant("update-outside-no-grad", A, "q3-apply-step", "update-tracked-by-autograd",
            (Edit("params.data -= lr * params.grad", "params -= lr * params.grad"),)),
    Variant("loss-after-step", A, "q3-apply-step", "loss-after-step",
            (Edit(STEP, "    params.data -= lr * params.grad\n    params.grad = None\n"
                        "    return mse(func(t, params), targets).item()"),)),
    Variant("train-one-short", A, "q4-train-manual", None,
            (Edit("for _ in range(epochs)]", "for _ in range(epochs - 1)]"),)),
]
