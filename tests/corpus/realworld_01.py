"""01-autograd: real code for view, derivatives, gradients, gradient descent and the RSS gradient."""

from tests.corpus.realworld import RealCase

A = "01-autograd"
FASTBOOK = "https://github.com/fastai/fastbook/blob/master/04_mnist_basics.ipynb"
BLITZ = "https://github.com/pytorch/tutorials/blob/main/beginner_source/blitz/autograd_tutorial.py"
D2L_SGD = "SighingSnow/d2l ch3/3-4/opt.py (d2l.ai 3.4: zero_grad before backward, `if param.grad is not None`)"

F = "def f(x):\n    return (x - 2) ** 2\n"
G = "def g(w):\n    return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])\n"


def q2(derivative: str, f: str = F) -> str:
    """The cell of question 2 with this ``derivative`` (and ``f``)."""
    return f"{f}\n\n{derivative}\n\ndf_at_1 = derivative(f, 1.0)\ndf_at_1\n"


def q3(gradient: str, g: str = G) -> str:
    """The cell of question 3 with this ``gradient`` (and ``g``)."""
    return f"{g}\n\n{gradient}\n\ngrad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))\ngrad_g_at_pi\n"


CASES = [
    # ------------------------------------------------------------- q1 as_batch
    RealCase("d2l-reshape", A, "https://d2l.ai/chapter_linear-classification/softmax-regression-scratch.html "
             "(X.reshape((-1, W.shape[0])))",
             {"as_batch": "def as_batch(x, d):\n    return x.reshape((-1, d))\n"}),
    RealCase("fastbook-view", A, FASTBOOK + " (torch.cat(...).view(-1, 28*28))",
             {"as_batch": "def as_batch(x, d):\n    return x.view(-1, d)\n"}),
    # ---------------------------------------------------------- q2 derivative
    RealCase("fastbook-requires-grad", A, FASTBOOK + " (xt = tensor(3.).requires_grad_(); yt = f(xt); yt.backward())",
             {"f": q2("def derivative(fn, x0):\n    xt = torch.tensor(float(x0)).requires_grad_()\n"
                      "    yt = fn(xt)\n    yt.backward()\n    return xt.grad.item()\n",
                      f="def f(x): return (x - 2)**2\n")}),
    RealCase("autograd-grad", A, "https://pytorch.org/docs/stable/generated/torch.autograd.grad.html",
             {"f": q2("def derivative(fn, x0):\n    x = torch.tensor([x0], dtype=torch.float64, requires_grad=True)\n"
                      "    (dx,) = torch.autograd.grad(fn(x).sum(), x)\n    return dx.item()\n")}),
    # ------------------------------------------------------------ q3 gradient
    RealCase("copy-construct-tensor", A, BLITZ + " (a = torch.tensor([2., 3.], requires_grad=True))",
             {"g": q3("def gradient(fn, w):\n    w = torch.tensor(w.tolist(), requires_grad=True)\n"
                      "    out = fn(w)\n    out.backward()\n    return w.grad\n")}),
    RealCase("gradient-on-callers-w", A, BLITZ + " (x.requires_grad_ on the caller's tensor)",
             {"g": q3("def gradient(fn, w):\n    w.requires_grad_(True)\n    fn(w).backward()\n    return w.grad\n")},
             "q3-gradient", "stale-grad"),
    # ---------------------------------------------------- q4 gradient descent
    RealCase("zero-grad-first", A, D2L_SGD,
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    for _ in range(steps):
        if x.grad is not None:
            x.grad.zero_()
        loss = fn(x)
        loss.backward()
        with torch.no_grad():
            x -= lr * x.grad
    return x.item()
"""}),
    RealCase("optimizer-step-then-zero", A, "IliaLiash/examples neural_networks/def_gradient_optimizer.py",
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    x = torch.tensor([float(x0)], requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for i in range(steps):
        function_result = fn(x)
        function_result.backward()
        optimizer.step()
        optimizer.zero_grad()
    return x.item()
"""}),
    RealCase("data-update", A, "IliaLiash/examples neural_networks/def_gradient_regular.py",
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    variable = torch.tensor(float(x0), requires_grad=True)
    for i in range(steps):
        function_result = fn(variable)
        function_result.backward()
        variable.data -= lr * variable.grad
        variable.grad.zero_()
    return variable.item()
"""}),
    RealCase("step-by-loss", A, "CodingCow123/Learning-Pytorch backproppractice.py (w -= 0.01*loss)",
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    w = torch.tensor(float(x0), requires_grad=True)
    for _ in range(steps):
        loss = fn(w)
        loss.backward()
        with torch.no_grad():
            w -= lr * loss
        w.grad.zero_()
    return w.item()
"""}, "q4-gradient-descent", "step-by-loss"),
    RealCase("rebound-x", A, "Kraks/playground pytorch/basic_examples/autograd.py with the no_grad update written as x = x - lr * x.grad",
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    for _ in range(steps):
        loss = fn(x)
        loss.backward()
        x = x - lr * x.grad
    return x.item()
"""}, "q4-gradient-descent", "grad-is-none"),
    RealCase("grad-accumulates", A, "FantasticVector/deep-learning-101 Pytorch/3_backpropagation.py, looped, with the w.grad.zero_() line left out",
             {"gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    w = torch.tensor(float(x0), requires_grad=True)
    for _ in range(steps):
        loss = fn(w)
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
    return w.item()
"""}, "q4-gradient-descent", "grad-not-reset"),
    # ------------------------------------------------------------ q5 RSS gradient
    RealCase("residual-first", A, "kbroci97/LinAlgebra feb17/app.py (r = Yhat - Y; loss = r.T@r / n)",
             {"rss_gradient": "def rss_gradient(X, y, w):\n    n = X.shape[0]\n    r = X @ w - y\n    return 2 * X.T @ r / n\n"}),
    RealCase("ng-half-cost-gradient", A, "https://github.com/dibgerge/ml-coursera-python-assignments/blob/master/"
             "Exercise1/exercise1.ipynb (gradient (1/m) X^T (X theta - y) of J = 1/(2m) ||X theta - y||^2)",
             {"rss_gradient": "def rss_gradient(X, y, w):\n    n = len(y)\n    return (1 / n) * X.T @ (X @ w - y)\n"},
             "q5-rss-gradient", "missing-factor-2"),
    RealCase("sum-of-squares-gradient", A, "https://en.wikipedia.org/wiki/Ordinary_least_squares "
             "(gradient of the sum of squares, -2 X^T (y - X w), with no 1/n)",
             {"rss_gradient": "def rss_gradient(X, y, w):\n    n = X.shape[0]\n    return -2 * X.T @ (y - X @ w)\n"},
             "q5-rss-gradient", "missing-1-over-n"),
    RealCase("hard-coded-n", A, "kbroci97/LinAlgebra feb17/app.py (loss = (r.T@r)/3: n written as a number)",
             {"rss_gradient": "def rss_gradient(X, y, w):\n    n = 50\n    return -2 / n * X.T @ (y - X @ w)\n"},
             "q5-rss-gradient", "global-n"),
]
