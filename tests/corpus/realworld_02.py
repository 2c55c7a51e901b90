"""02-quadratic-fit: real code for the model, the loss, one manual step and the training loop."""

from tests.corpus.realworld import RealCase

A = "02-quadratic-fit"
FASTBOOK = "https://github.com/fastai/fastbook/blob/master/04_mnist_basics.ipynb"
POLY = "Kraks/playground pytorch/basic_examples/autograd.py (the PyTorch tutorial polynomial_autograd.py)"
D2L = ("JoonHyeok-hozy-Kim/ai_paper_study text_books/dive_into_deep_learning/ch03/04/scripts/"
       "LinearRegressionScratch.py (d2l.ai 3.4: l = (y_hat - y) ** 2 / 2; return l.mean())")
LESSON2 = "gmaggiotti/fastai src/torch/basic/lesson2-sgd.py"
OPTIM_TUTORIAL = "https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html"

CASES = [
    # ------------------------------------------------------------------ q1 func
    RealCase("fastbook-f", A, FASTBOOK + " (def f(t, params): a,b,c = params; return a*(t**2) + (b*t) + c)",
             {"func": "def func(t, params):\n    a,b,c = params\n    return a*(t**2) + (b*t) + c\n"}),
    RealCase("powers-matmul", A, "https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_nn/"
             "polynomial_nn.py (xx = x.unsqueeze(-1).pow(p))",
             {"func": "def func(t, params):\n    p = torch.tensor([2, 1, 0])\n    xx = t.unsqueeze(-1).pow(p)\n"
                      "    return xx @ params\n"}),
    RealCase("tutorial-order", A, POLY + " (y_pred = a + b * x + c * x ** 2: a is the constant there)",
             {"func": "def func(t, params):\n    a, b, c = params\n    return a + b * t + c * t ** 2\n"},
             "q1-func", "coefficients-swapped"),
    # ------------------------------------------------------------------- q2 mse
    RealCase("lesson2-named-rmse", A, LESSON2 + " (def rmse(y_hat, y): return ((y_hat - y) ** 2).mean())",
             {"mse": "def mse(preds, targets): return ((preds - targets) ** 2).mean()\n"}),
    RealCase("functional-mse", A, "https://pytorch.org/docs/stable/generated/torch.nn.functional.mse_loss.html",
             {"mse": "import torch.nn.functional as F\n\n\ndef mse(preds, targets):\n    return F.mse_loss(preds, targets)\n"}),
    RealCase("torch-mean-pow", A, "hootan09/python_notebook Code/pytorch/chapter1 (loss = (error ** 2).mean())",
             {"mse": "def mse(preds, targets):\n    error = targets - preds\n    return torch.mean(error.pow(2))\n"}),
    RealCase("fastbook-sqrt", A, FASTBOOK + " (2020 edition: def mse(preds, targets): return "
             "((preds-targets)**2).mean().sqrt())",
             {"mse": "def mse(preds, targets): return ((preds-targets)**2).mean().sqrt()\n"},
             "q2-mse", "rmse-not-mse"),
    RealCase("d2l-half-mse", A, D2L,
             {"mse": "def mse(preds, targets):\n    l = (preds - targets) ** 2 / 2\n    return l.mean()\n"},
             "q2-mse", "half-mse"),
    RealCase("d2l-squared-loss", A, "yzj2019/learn-d2l d2l/Linear.py (return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2)",
             {"mse": "def mse(preds, targets):\n    return (preds - targets.reshape(preds.shape)) ** 2 / 2\n"},
             "q2-mse", "not-reduced"),
    RealCase("tutorial-sum", A, POLY + " (loss = (y_pred - y).pow(2).sum())",
             {"mse": "def mse(preds, targets):\n    return (preds - targets).pow(2).sum()\n"},
             "q2-mse", "sum-not-mean"),
    # ------------------------------------------------------------ q3 apply_step
    RealCase("fastbook-apply-step", A, FASTBOOK + " (apply_step: params.data -= lr * params.grad.data; params.grad = None)",
             {"apply_step": """
def apply_step(params, t, targets, lr, prn=False):
    preds = func(t, params)
    loss = mse(preds, targets)
    loss.backward()
    params.data -= lr * params.grad.data
    params.grad = None
    if prn: print(loss.item())
    return loss.item()
"""}),
    RealCase("d2l-zero-grad-first", A, "SighingSnow/d2l ch3/3-4/opt.py and d2l.ai 3.4 Trainer "
             "(optim.zero_grad() before loss.backward())",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    if params.grad is not None:
        params.grad.zero_()
    loss = mse(func(t, params), targets)
    loss.backward()
    with torch.no_grad():
        params -= lr * params.grad
    return loss.item()
"""}),
    RealCase("optimizer-per-step", A, OPTIM_TUTORIAL + " (optimizer.zero_grad(); loss.backward(); optimizer.step())",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    optimizer = torch.optim.SGD([params], lr=lr)
    optimizer.zero_grad()
    loss = mse(func(t, params), targets)
    loss.backward()
    optimizer.step()
    return loss.item()
"""}),
    RealCase("lesson2-sub", A, LESSON2 + " (with torch.no_grad(): a.sub_(lr * a.grad); a.grad.zero_())",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    y_hat = func(t, params)
    loss = mse(y_hat, targets)
    loss.backward()
    with torch.no_grad():
        params.sub_(lr * params.grad)
        params.grad.zero_()
    return loss.item()
"""}),
    RealCase("tutorial-grad-none", A, POLY + " (with torch.no_grad(): a -= learning_rate * a.grad; a.grad = None)",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    y_pred = func(t, params)
    loss = mse(y_pred, targets)
    loss.backward()
    with torch.no_grad():
        params -= lr * params.grad
        params.grad = None
    return loss.item()
"""}),
    RealCase("step-by-loss", A, "CodingCow123/Learning-Pytorch backproppractice.py (w -= 0.01*loss)",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    loss = mse(func(t, params), targets)
    loss.backward()
    with torch.no_grad():
        params -= lr * loss
    params.grad.zero_()
    return loss.item()
"""}, "q3-apply-step", "step-by-loss"),
    RealCase("fastbook-returns-preds", A, FASTBOOK + " (apply_step ends with `return preds`)",
             {"apply_step": """
def apply_step(params, t, targets, lr):
    preds = func(t, params)
    loss = mse(preds, targets)
    loss.backward()
    params.data -= lr * params.grad.data
    params.grad = None
    return preds
"""}, "q3-apply-step", "returned-predictions"),
    # ---------------------------------------------------------- q4 train_manual
    RealCase("fastbook-loop", A, FASTBOOK + " (for i in range(10): apply_step(params))",
             {"train_manual": """
def train_manual(params, t, targets, lr, epochs):
    losses = []
    for i in range(epochs):
        losses.append(apply_step(params, t, targets, lr))
    return losses
"""}),
    RealCase("return-in-loop", A, "https://gptteams.ai/developer/python-3x-is-there-a-way-to-make-the-for-loop-here-return-the-value-for-each-item-on-the-same-line "
             "(`return` in the first iteration of the loop)",
             {"train_manual": """
def train_manual(params, t, targets, lr, epochs):
    losses = []
    for i in range(epochs):
        losses.append(apply_step(params, t, targets, lr))
        return losses
"""}, "q4-train-manual", "return-inside-loop"),
]
