"""The catalogue of mistakes the hidden tests recognise, in students' words.

Each tag is what the class report counts; each sentence is what a student reads.
"""

from __future__ import annotations

MISTAKES: dict[str, str] = {
    "rmse-not-mse": "It matches the square ROOT of the mean squared error (RMSE). MSE is the mean of the squared errors, with no square root.",
    "sum-not-mean": "It matches the SUM of the squared errors. MSE divides by the number of elements: use .mean().",
    "mae-not-mse": "It matches the mean ABSOLUTE error. Square the errors instead of taking their absolute value.",
    "not-squared": "It matches the mean of the plain errors. Square each error before averaging.",
    "half-mse": "It matches HALF the mean squared error, the mean of (y_hat - y)**2 / 2 (the convention of d2l's squared_loss). This question asks for the plain MSE: leave out the / 2.",
    "not-reduced": "It returns one squared error per element instead of one number: take the .mean() of the squared errors.",
    "squared-mean": "It matches the SQUARE of the mean error. Square each error first, then take the mean.",
    "lr-ignored": "The update ignores the learning rate: subtract lr * grad, not the bare gradient.",
    "step-by-loss": "The update subtracts lr times the LOSS (its value) instead of lr times its GRADIENT: gradient descent moves along the gradient, x -= lr * x.grad.",
    "returned-predictions": "apply_step returns the predictions: return the loss computed before the step, as a Python float (loss.item()).",
    "return-inside-loop": "Only the first epoch ran: the `return` is indented inside the loop, so the function returns during the first epoch. Return the list after the loop.",
    "uses-globals": "The function reads your notebook's variables instead of its arguments, so it fails on the hidden tests' other inputs: compute from the arguments.",
    "missing-term": "A term of the model is missing: it is a*t**2 + b*t + c, with all three terms.",
    "sign-flipped": "The update goes UP the gradient: the sign is flipped. Gradient descent subtracts lr * grad.",
    "grad-not-reset": "Gradients from earlier steps accumulate: backward() ADDS to .grad, and nothing resets it between steps, so each step uses the sum of all the gradients so far. Reset it in every step: params.grad = None (or .zero_()) after the update, or zero it before backward().",
    "forgot-zero-grad": "optimizer.zero_grad() is missing, so gradients from earlier epochs accumulate into each step.",
    "params-rebound": "The caller's parameters did not change: `params = params - ...` makes a NEW tensor inside the function. Update in place: params.data -= lr * params.grad (or params -= ... inside torch.no_grad()).",
    "update-tracked-by-autograd": "The update itself was recorded by autograd (an in-place change of a leaf that requires grad). Do the update inside `with torch.no_grad():` or on params.data.",
    "step-before-backward": "optimizer.step() runs before loss.backward(), so each step uses the previous epoch's gradient (the first step does nothing).",
    "loss-after-step": "The loss is recorded after the update. Return (record) the loss computed before the step.",
    "wrong-constant": "The closed form has a wrong constant factor. The RSS gradient is -2/n X^T (y - Xw): check the 2 and the 1/n.",
    "missing-1-over-n": "The closed form is missing the 1/n factor: the RSS gradient is -2/n X^T (y - Xw).",
    "missing-factor-2": "The closed form is missing the factor 2: the RSS gradient is -2/n X^T (y - Xw).",
    "diverging-lr": "The learning rate is too large: the loss grows instead of shrinking (it diverges).",
    "no-divergence-check": "Divergence was not reported: a loss that grows or becomes inf/nan must be detected.",
    "coefficients-swapped": "The coefficients are in the wrong order: params holds [a, b, c] for a*t**2 + b*t + c.",
    "seed-gradient": "This is the value printed in the course notes, which is wrong: d/dw2 of 2*w1*w2 + w2*cos(w1) is 2*w1 + cos(w1), so at [pi, 1] the gradient is [2, 2*pi - 1].",
    "momentum": "This is plain SGD: leave momentum at 0 (torch.optim.SGD([a], lr=lr)); momentum changes every step after the first.",
    "not-sgd": "This question asks for torch.optim.SGD: other optimizers (Adam, RMSprop, ...) follow other update rules.",
    "params-before-step": "The parameters are recorded BEFORE optimizer.step(): append a copy of them after the step.",
    "optimizer-needs-iterable": "torch.optim.SGD needs an iterable of tensors (e.g. [a]), not a single tensor: that raises a TypeError.",
    "not-implemented": "This part is not written yet: replace the `...` with your code.",
    "wrong-type": "The value has the wrong type.",
    "wrong-shape": "The value has the wrong shape.",
    "no-autograd": "The result is cut off from autograd (no gradient flows back through it to the inputs): build it from the input tensors with torch operations, without .item(), .tolist(), .detach() or torch.tensor(...).",
    "hard-coded": "The answer matches the public example but not other inputs: compute it from the arguments instead of hard-coding it.",
    "student-timeout": "Your code did not finish within the time limit.",
    "student-died": "The process running your notebook ended unexpectedly.",
    # 04-linear-regression
    "bias-column": "X needs a bias column of ones (its second column), so the model can learn an intercept.",
    "feature-range": "The feature (first column of X) must be uniform in [-1.15, 1.15]: use X[:, 0].uniform_(-1.15, 1.15, generator=g).",
    "noise-not-scaled": "The noise is not divided by 3: y = X @ actual + torch.randn(n, generator=g) / 3.",
    "noise-variance-as-std": "The noise is divided by 9: its VARIANCE should be 1/9, so divide the standard normal noise by 3.",
    "noise-uniform": "The noise is uniform (torch.rand), not standard normal: use torch.randn(n, generator=g) / 3, whose mean is 0 and variance 1/9.",
    "seed-ignored": "The data must come from a torch.Generator seeded with `seed`: the same seed gives the same data, another seed other data.",
    "split-swapped": "Train and test are swapped: the FIRST int(n * train_fraction) rows are the training set.",
    "split-order": "The parts are in the wrong order: return (X_train, X_test, y_train, y_test).",
    "split-shuffled": "The rows are shuffled (randperm, random_split, train_test_split): this question asks for the FIRST int(n * train_fraction) rows, in order, as the training set and the other rows as the test set.",
    "wrong-split": "The split is wrong: the first int(n * train_fraction) rows train, all the other rows test, with no row lost or repeated.",
    "not-a-parameter": "fit_sgd should train and return an nn.Parameter (w = nn.Parameter(torch.zeros(2))), not a plain tensor.",
    "broadcast-shape": "w has shape (d, 1) while y has shape (n,), so X @ w - y broadcasts to an (n, n) matrix and the loss compares every prediction with every target. Make w of shape (d,): nn.Parameter(torch.zeros(X.shape[1])).",
    "no-convergence-stop": "There is no convergence stop: fit_sgd must stop as soon as the loss changes by at most tol between two iterations.",
    "normal-equation-no-inverse": "The inverse is missing: the normal equation is (X^T X)^-1 X^T y, with torch.linalg.inv(X.T @ X).",
    "normal-equation-transpose": "A transpose is missing: the shapes do not fit. The normal equation is (X^T X)^-1 X^T y, i.e. torch.linalg.inv(X.T @ X) @ X.T @ y.",
    "inverse-of-x": "X is not square, so it has no inverse: invert X^T X (a 2 x 2 matrix) instead, as in (X^T X)^-1 X^T y.",
    "lr-too-small": "The learning rate is too small: gradient descent has not converged within the allowed iterations.",
    "lr-does-not-diverge": "This learning rate does not make gradient descent diverge: try a larger one (the loss must grow).",
    "diverges": "With a learning rate that works, the loss grew instead of shrinking (the weights ran away): check the sign of the update (w -= lr * w.grad) and that the loss is the MEAN of the squared errors.",
    "start-not-copied": "The caller's `start` tensor was changed: the optimizer updated it in place. Train a copy: a = start.detach().clone().requires_grad_(True).",
    "history-aliased": "Every entry of the history equals the last one: the list holds the SAME tensor several times, and the optimizer kept changing it. Append a copy: a.detach().clone().",
    # 01-autograd
    "view-swapped": "The batch dimension must come first: x.view(-1, d) has shape (N, d); x.view(d, -1) has shape (d, N).",
    "value-not-derivative": "It matches the function's VALUE, not its derivative: call backward() on fn(x) and return x.grad.",
    "stale-grad": "A second call with the same w gives twice the gradient: backward() ADDS to w.grad, and the caller's w kept the gradient of the first call. Work on a fresh copy: w = w.detach().clone().requires_grad_(True).",
    "steps-off-by-one": "The number of steps is off by one: take exactly `steps` gradient steps (for _ in range(steps)).",
    "rss-sign-flipped": "The sign is flipped: the RSS gradient is -2/n X^T (y - Xw), which is +2/n X^T (Xw - y).",
    "global-n": "The 1/n uses an n from elsewhere in the notebook, not this X: take n = X.shape[0] inside the function.",
    "grad-is-none": "The gradient is None where the update uses it: call backward() first, and update the SAME leaf tensor in place (x -= lr * x.grad inside `with torch.no_grad():`). `x = x - lr * x.grad` makes a new tensor whose .grad autograd never fills.",
}


def explain(tag: str) -> str:
    """The student-facing sentence for a mistake tag."""
    return MISTAKES.get(tag, tag)


# Exceptions a student function raises that tell which mistake it made.
EXCEPTION_PATTERNS: dict[str, str] = {
    "leaf Variable that requires grad is being used in an in-place operation": "update-tracked-by-autograd",
    "does not require grad and does not have a grad_fn": "no-autograd",
    "params argument given to the optimizer should be an iterable": "optimizer-needs-iterable",
    "unsupported operand type(s) for *: 'float' and 'NoneType'": "grad-is-none",
    "'NoneType' object has no attribute 'zero_'": "grad-is-none",
}


# Functions that update parameters in a loop: there, a tensor cut off from autograd is
# almost always a parameter rebound (``x = x - lr * x.grad``) instead of updated in place.
UPDATE_LOOPS = {"gradient_descent", "apply_step", "train_manual", "train_sgd", "fit_sgd"}


def mistake_for_exception(text: str, function: str | None = None) -> str | None:
    """The mistake tag an exception message (raised by the student's ``function``) reveals, if any."""
    for pattern, tag in EXCEPTION_PATTERNS.items():
        if pattern in text:
            return "params-rebound" if tag == "no-autograd" and function in UPDATE_LOOPS else tag
    return None
