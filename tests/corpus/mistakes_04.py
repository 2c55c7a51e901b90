"""Mistakes students make in 04-linear-regression, one per notebook."""

from tests.corpus import Edit, Variant

A = "04-linear-regression"
NORMAL = "return torch.linalg.inv(X.T @ X) @ X.T @ y  # SOLUTION"
SPLIT = "return X[:size], X[size:], y[:size], y[size:]"
STOP = "        if last_loss is not None and abs(last_loss - loss.item()) <= tol:\n            break\n"

MISTAKES = [
    Variant("noise-not-scaled", A, "q1-make-data", "noise-not-scaled",
            (Edit("torch.randn(n, generator=g) / 3", "torch.randn(n, generator=g)"),)),
    Variant("seed-ignored", A, "q1-make-data", "seed-ignored",
            (Edit("g = torch.Generator().manual_seed(seed)", "g = torch.Generator()"),)),
    Variant("split-swapped", A, "q2-split", "split-swapped",
            (Edit(SPLIT, "return X[len(X) - size:], X[:len(X) - size], y[len(X) - size:], y[:len(X) - size]"),)),
    Variant("split-order", A, "q2-split", "split-order",
            (Edit(SPLIT, "return X[:size], y[:size], X[size:], y[size:]"),)),
    Variant("sign-flipped", A, "q3-fit-sgd", "sign-flipped",
            (Edit("w -= lr * w.grad", "w += lr * w.grad"),)),
    Variant("grad-not-reset", A, "q3-fit-sgd", "grad-not-reset",
            (Edit("        w.grad.zero_()\n", ""),)),
    Variant("no-convergence-stop", A, "q3-fit-sgd", "no-convergence-stop",
            (Edit(STOP, ""),)),
    Variant("fit-rmse", A, "q3-fit-sgd", "rmse-not-mse",
            (Edit("loss = ((X @ w - y) ** 2).mean()\n", "loss = ((X @ w - y) ** 2).mean().sqrt()\n"),)),
    Variant("fit-sum", A, "q3-fit-sgd", "sum-not-mean",
            (Edit("loss = ((X @ w - y) ** 2).mean()\n", "loss = ((X @ w - y) ** 2).sum()\n"),)),
    Variant("plain-tensor", A, "q3-fit-sgd", "not-a-parameter",
            (Edit("    return w\n", "    return w.detach()\n"),)),
    Variant("notebook-data", A, "q4-normal-equation", "uses-globals",
            (Edit(NORMAL, "return torch.linalg.inv(X_train.T @ X_train) @ X_train.T @ y_train  # SOLUTION"),)),
    Variant("no-inverse", A, "q4-normal-equation", "normal-equation-no-inverse",
            (Edit(NORMAL, "return X.T @ X @ X.T @ y  # SOLUTION"),)),
    Variant("no-transpose", A, "q4-normal-equation", "normal-equation-transpose",
            (Edit(NORMAL, "return torch.linalg.inv(X.T @ X) @ X @ y  # SOLUTION"),)),
    Variant("inverse-of-x", A, "q4-normal-equation", "inverse-of-x",
            (Edit(NORMAL, "return torch.linalg.inv(X) @ y  # SOLUTION"),)),
    Variant("rmse", A, "q5-test-mse", "rmse-not-mse",
            (Edit("return ((X_test @ w - y_test) ** 2).mean()  # SOLUTION",
                  "return ((X_test @ w - y_test) ** 2).mean().sqrt()  # SOLUTION"),)),
    Variant("sum", A, "q5-test-mse", "sum-not-mean",
            (Edit("return ((X_test @ w - y_test) ** 2).mean()  # SOLUTION",
                  "return ((X_test @ w - y_test) ** 2).sum()  # SOLUTION"),)),
    Variant("squared-mean", A, "q5-test-mse", "squared-mean",
            (Edit("return ((X_test @ w - y_test) ** 2).mean()  # SOLUTION",
                  "return (X_test @ w - y_test).mean() ** 2  # SOLUTION"),)),
    Variant("diverging-lr", A, "q6-learning-rate", "diverging-lr",
            (Edit("good_lr = 0.1  # SOLUTION", "good_lr = 1.5  # SOLUTION"),)),
    Variant("bad-lr-converges", A, "q6-learning-rate", "lr-does-not-diverge",
            (Edit("bad_lr = 1.5  # SOLUTION", "bad_lr = 0.5  # SOLUTION"),)),
]
