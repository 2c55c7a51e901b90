"""03-optimizer-loop: real code for torch.optim.SGD, the training loop, divergence and nn.MSELoss."""

from tests.corpus.realworld import RealCase

A = "03-optimizer-loop"
OPTIM_TUTORIAL = "https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html"
GODOY = "https://github.com/dvgodoy/PyTorchStepByStep (Chapter 1: optimizer = optim.SGD([b, w], lr=lr))"
ILIA = "IliaLiash/examples neural_networks/def_gradient_optimizer.py"
POLY_NN = "https://github.com/pytorch/tutorials/blob/main/beginner_source/examples_nn/polynomial_nn.py"


def q1(make_optimizer: str, answer: str = '"b"') -> str:
    """The cell of question 1: the letter and ``make_optimizer``."""
    return f"typeerror_answer = {answer}\n\n\n{make_optimizer}"


SGD = "def make_optimizer(a, lr):\n    return torch.optim.SGD([a], lr=lr)\n"

LOOP = """
def train_sgd(loss_fn, start, lr, epochs):
    a = start.detach().clone().requires_grad_(True)
    optimizer = make_optimizer(a, lr)
    params_history, loss_history = [], []
    for epoch in range(epochs):
        loss = loss_fn(a)
{body}
    return params_history, loss_history
"""


def loop(body: str) -> str:
    """A ``train_sgd`` whose epoch, after ``loss = loss_fn(a)``, is ``body`` (indented 8 spaces)."""
    return LOOP.format(body="\n".join("        " + line for line in body.strip().splitlines()))


CASES = [
    # --------------------------------------------------------------- q1 optimizer
    RealCase("godoy-sgd-list", A, GODOY,
             {"typeerror_answer": q1("def make_optimizer(a, lr):\n    optimizer = optim.SGD(params=[a], lr=lr)\n"
                                     "    return optimizer\n\n\nimport torch.optim as optim\n", answer="'B'")}),
    RealCase("cifar-momentum", A, "https://github.com/pytorch/tutorials/blob/main/beginner_source/blitz/cifar10_tutorial.py "
             "(optim.SGD(net.parameters(), lr=0.001, momentum=0.9)); drrmh/Learning loss.py",
             {"typeerror_answer": q1("def make_optimizer(a, lr):\n    return torch.optim.SGD([a], lr=lr, momentum=0.9)\n")},
             "q1-optimizer", "momentum"),
    RealCase("adam", A, "XiaomAweII/MyPython itheima/06_深度学习基础/代码/02_神经网络/05-梯度下降优化.py "
             "(torch.optim.Adam([w], lr=0.01, betas=[0.9, 0.99]))",
             {"typeerror_answer": q1("def make_optimizer(a, lr):\n    return torch.optim.Adam([a], lr=lr)\n")},
             "q1-optimizer", "not-sgd"),
    # ------------------------------------------------------------- q2 train_sgd
    RealCase("tutorial-order", A, OPTIM_TUTORIAL + " (loss.backward(); optimizer.step(); optimizer.zero_grad())",
             {"train_sgd": loop("""
loss.backward()
optimizer.step()
optimizer.zero_grad()
params_history.append(a.detach().clone())
loss_history.append(loss.item())
""")}),
    RealCase("numpy-copy-history", A, ILIA + " (var_history.append(x.data.numpy().copy())), recorded after the step",
             {"train_sgd": loop("""
optimizer.zero_grad()
loss.backward()
optimizer.step()
params_history.append(a.data.numpy().copy())
loss_history.append(loss.data.numpy().copy())
""")}),
    RealCase("tolist-history", A, "hootan09/python_notebook Code/pytorch/chapter1 (losses.append(loss.item()))",
             {"train_sgd": loop("""
optimizer.zero_grad()
loss.backward()
optimizer.step()
params_history.append(a.tolist())
loss_history.append(float(loss))
""")}),
    RealCase("history-before-step", A, ILIA + " (the history is appended before make_gradient_step)",
             {"train_sgd": loop("""
params_history.append(a.data.numpy().copy())
loss_history.append(loss.item())
optimizer.zero_grad()
loss.backward()
optimizer.step()
""")}, "q2-train-sgd", "params-before-step"),
    RealCase("history-of-data", A, ILIA + " with x.data appended without .numpy().copy() (x.data shares the tensor's memory)",
             {"train_sgd": loop("""
optimizer.zero_grad()
loss.backward()
optimizer.step()
params_history.append(a.data)
loss_history.append(loss.item())
""")}, "q2-train-sgd", "history-aliased"),
    RealCase("no-zero-grad", A, "llljx316/CS336-assignment1 toy_optimizer.py with the opt.zero_grad() line left out",
             {"train_sgd": loop("""
loss.backward()
optimizer.step()
params_history.append(a.detach().clone())
loss_history.append(loss.item())
""")}, "q2-train-sgd", "forgot-zero-grad"),
    # ----------------------------------------------------------- q3 has_diverged
    RealCase("isnan-isinf", A, "https://docs.python.org/3/library/math.html#math.isinf",
             {"has_diverged": """
def has_diverged(loss_history):
    for loss in loss_history:
        if math.isnan(loss) or math.isinf(loss):
            return True
    return loss_history[-1] > loss_history[0]
"""}),
    RealCase("torch-isfinite", A, "https://pytorch.org/docs/stable/generated/torch.isfinite.html",
             {"has_diverged": """
def has_diverged(loss_history):
    losses = torch.tensor(loss_history)
    return bool(not torch.isfinite(losses).all() or losses[-1] > losses[0])
"""}),
    RealCase("inf-only", A, "https://docs.python.org/3/library/math.html#math.isinf (only inf is tested)",
             {"has_diverged": "def has_diverged(loss_history):\n    return any(math.isinf(loss) for loss in loss_history)\n"},
             "q3-has-diverged", "no-divergence-check"),
    # ---------------------------------------------------------------- q4 pick_lr
    RealCase("dict-of-final-losses", A, "https://pytorch.org/tutorials/beginner/hyperparameter_tuning_tutorial.html "
             "(train per configuration, keep the best)",
             {"pick_lr": """
def pick_lr(loss_fn, start, lrs, epochs):
    final = {}
    for lr in lrs:
        _, losses = train_sgd(loss_fn, start, lr, epochs)
        if not has_diverged(losses):
            final[lr] = losses[-1]
    if not final:
        return None
    return min(final, key=final.get)
"""}),
    # --------------------------------------------------------------- q5 mse_loss
    RealCase("mseloss-mean", A, GODOY + " (loss_fn = nn.MSELoss(reduction='mean'))",
             {"mse_loss": "def mse_loss(preds, targets):\n    loss_fn = nn.MSELoss(reduction='mean')\n    return loss_fn(preds, targets)\n"}),
    RealCase("mseloss-sum", A, POLY_NN + " (loss_fn = torch.nn.MSELoss(reduction='sum'))",
             {"mse_loss": "def mse_loss(preds, targets):\n    loss_fn = torch.nn.MSELoss(reduction='sum')\n    return loss_fn(preds, targets)\n"},
             "q5-mse-loss", "sum-not-mean"),
    RealCase("rmse-loss", A, "wanglec/cse151b-kaggle src/loss.py (loss = torch.sqrt(criterion(yhat, y)))",
             {"mse_loss": "def mse_loss(preds, targets):\n    criterion = nn.MSELoss()\n    return torch.sqrt(criterion(preds, targets))\n"},
             "q5-mse-loss", "rmse-not-mse"),
]
