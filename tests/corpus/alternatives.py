"""Right answers written differently from the solutions, as students write them: full marks, no flags.

Each ``Alternative`` fills the student notebook: the cells it names get its code, the others the
solution's.  Some also add what real notebooks carry: magics, plots, prints, extra imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Alternative:
    id: str
    assignment: str
    answers: dict[str, str]
    extra_cells: tuple[str, ...] = ()
    before: tuple[str, ...] = field(default=())


A1, A2, A3, A4 = "01-autograd", "02-quadratic-fit", "03-optimizer-loop", "04-linear-regression"

JUPYTER_HABITS = (
    "%matplotlib inline\n%load_ext autoreload\n%autoreload 2",
    "!pip install torch==2.13.0 --quiet\n!nvidia-smi",
)
PLOT = """
import matplotlib.pyplot as plt
from IPython.display import Markdown, display

fig, ax = plt.subplots()
ax.plot(range(10), [value ** 2 for value in range(10)])
ax.set_title("loss")
plt.show()
display(Markdown("**done**"))
"""

ALTERNATIVES = [
    # ------------------------------------------------------------------ 01-autograd
    Alternative("reshape-pow-autograd-grad", A1, {
        "as_batch": "def as_batch(x, d):\n    return x.reshape(-1, d)",
        "f": """
def f(x):
    return torch.pow(x - 2, 2)


def derivative(fn, x0):
    x = torch.tensor([x0], dtype=torch.float32, requires_grad=True)
    (dx,) = torch.autograd.grad(fn(x).sum(), x)
    return float(dx)


df_at_1 = derivative(f, 1)
print(f"f'(1) = {df_at_1}")
""",
        "g": """
def g(w):
    w1, w2 = w[0], w[1]
    return 2 * w1 * w2 + w2 * w1.cos()


def gradient(fn, w):
    w = w.clone().detach().requires_grad_()
    return torch.autograd.grad(fn(w), w)[0]


grad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))
""",
        "gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    x = torch.tensor(float(x0), requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=lr)
    for step in range(steps):
        optimizer.zero_grad()
        fn(x).backward()
        optimizer.step()
    return float(x)
""",
        "rss_gradient": """
def rss_gradient(X: torch.Tensor, y: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    \"\"\"Closed-form gradient of the mean RSS.\"\"\"
    residual = X @ w - y
    return 2 * X.t().mm(residual) / len(X)
""",
    }, extra_cells=(PLOT,), before=JUPYTER_HABITS),
    Alternative("expanded-data-updates", A1, {
        "as_batch": "def as_batch(x, d):\n    n = x.numel() // d\n    return x.view(n, d)",
        "f": """
def f(x):
    return x * x - 4 * x + 4

def derivative(fn, x0):
    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    y = fn(x)
    y.backward()
    return x.grad.item()

df_at_1 = derivative(f, 1.0)
df_at_1
""",
        "g": """
def g(w):
    return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])

def gradient(fn, w):
    w_copy = torch.tensor(w.tolist(), dtype=w.dtype, requires_grad=True)
    value = fn(w_copy)
    value.backward()
    return w_copy.grad

grad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))
grad_g_at_pi
""",
        "gradient_descent": """
def gradient_descent(fn, x0, lr, steps):
    x = torch.tensor([float(x0)], requires_grad=True)
    for i in range(steps):
        loss = fn(x)
        loss.backward()
        x.data -= lr * x.grad.data
        x.grad = None
        if i % 25 == 0:
            print(i, x.item(), loss.item())
    return x.item()
""",
        "rss_gradient": """
def rss_gradient(X, y, w):
    n = X.size(0)
    return (-2 / n) * torch.matmul(X.transpose(0, 1), y - torch.matmul(X, w))
""",
    }),
    Alternative("magics-around-answers", A1, {
        "f": """
def f(x):
    return (x - 2) ** 2

def derivative(fn, x0):
    x = torch.tensor(float(x0), requires_grad=True)
    fn(x).backward()
    return x.grad.item()

%time df_at_1 = derivative(f, 1.0)
%timeit -n 1 -r 1 derivative(f, 3.0)
files = !ls
torch.optim.SGD?
""",
        "g": """
%%capture
def g(w):
    return 2 * w[0] * w[1] + w[1] * torch.cos(w[0])

def gradient(fn, w):
    w = w.detach().clone().requires_grad_(True)
    fn(w).backward()
    return w.grad

grad_g_at_pi = gradient(g, torch.tensor([math.pi, 1.0]))
print(grad_g_at_pi)
""",
    }, extra_cells=("%%bash\necho this runs nowhere\nexit 1", "%%writefile notes.txt\nnot python at all")),
    # ------------------------------------------------------------- 02-quadratic-fit
    Alternative("indexing-functional-zero", A2, {
        "func": "def func(t, params):\n    return params[0] * t ** 2 + params[1] * t + params[2]",
        "mse": "import torch.nn.functional as F\n\ndef mse(preds, targets):\n    return F.mse_loss(preds, targets)",
        "apply_step": """
def apply_step(params, t, targets, lr):
    preds = func(t, params)
    loss = mse(preds, targets)
    loss.backward()
    with torch.no_grad():
        params -= lr * params.grad
    params.grad.zero_()
    return float(loss)
""",
        "train_manual": """
def train_manual(params, t, targets, lr, epochs):
    losses = []
    for epoch in range(epochs):
        loss = apply_step(params, t, targets, lr)
        losses.append(loss)
        if epoch % 20 == 0:
            print(f"epoch {epoch}: loss {loss:.3f}")
    return losses
""",
    }, extra_cells=(PLOT,), before=JUPYTER_HABITS),
    Alternative("matrix-sum-inlined-loop", A2, {
        "func": """
def func(t, params):
    features = torch.stack([t ** 2, t, torch.ones_like(t)], dim=-1)
    return features @ params
""",
        "mse": """
def mse(preds, targets):
    diff = targets - preds
    return torch.sum(diff * diff) / diff.numel()
""",
        "apply_step": """
%%time
def apply_step(params, t, targets, lr):
    loss = mse(func(t, params), targets)
    loss_before = loss.item()
    loss.backward()
    params.data = params.data - lr * params.grad.data
    params.grad.data.zero_()
    return loss_before
""",
        "train_manual": """
def train_manual(params, t, targets, lr, epochs):
    history = []
    for _ in range(epochs):
        loss = mse(func(t, params), targets)
        loss.backward()
        params.data -= lr * params.grad
        params.grad = None
        history.append(loss.item())
    return torch.tensor(history)
""",
    }),
    # ------------------------------------------------------------ 03-optimizer-loop
    Alternative("positional-sgd-set-to-none", A3, {
        "typeerror_answer": """
typeerror_answer = "B"


def make_optimizer(a, lr):
    optimizer = torch.optim.SGD(params=[a], lr=lr, momentum=0)
    return optimizer
""",
        "train_sgd": """
def train_sgd(loss_fn, start, lr, epochs):
    a = start.clone().detach().requires_grad_()
    optimizer = make_optimizer(a, lr)
    params_history = []
    loss_history = []
    for epoch in range(epochs):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(a)
        loss.backward()
        optimizer.step()
        params_history.append(a.detach().clone().tolist())
        loss_history.append(float(loss))
    return params_history, loss_history
""",
        "has_diverged": """
def has_diverged(loss_history):
    for loss in loss_history:
        if math.isnan(loss) or math.isinf(loss):
            return True
    return bool(loss_history) and loss_history[-1] > loss_history[0]
""",
        "pick_lr": """
def pick_lr(loss_fn, start, lrs, epochs):
    finals = {}
    for lr in lrs:
        params_history, loss_history = train_sgd(loss_fn, start, lr, epochs)
        if has_diverged(loss_history):
            continue
        finals[lr] = loss_history[-1]
    if not finals:
        return None
    return min(finals, key=finals.get)
""",
        "mse_loss": """
criterion = nn.MSELoss(reduction="mean")


def mse_loss(preds, targets):
    return criterion(preds, targets)
""",
    }, extra_cells=(PLOT,), before=JUPYTER_HABITS),
    Alternative("zero-grad-last-tensor-checks", A3, {
        "typeerror_answer": """
from torch import optim

typeerror_answer = " b "

def make_optimizer(a, lr):
    return optim.SGD((a,), lr)
""",
        "train_sgd": """
def train_sgd(loss_fn, start, lr, epochs):
    a = start.detach().clone()
    a.requires_grad = True
    optimizer = torch.optim.SGD([a], lr=lr)
    params_history, loss_history = [], []
    for epoch in range(epochs):
        loss = loss_fn(a)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        params_history.append(a.data.clone())
        loss_history.append(loss.item())
    return torch.stack(params_history), torch.tensor(loss_history)
""",
        "has_diverged": """
def has_diverged(loss_history):
    losses = torch.tensor(loss_history, dtype=torch.float64)
    if not torch.isfinite(losses).all():
        return True
    return len(losses) > 1 and bool(losses[-1] > losses[0])
""",
        "pick_lr": """
def pick_lr(loss_fn, start, lrs, epochs):
    results = []
    for lr in lrs:
        _, losses = train_sgd(loss_fn, start, lr, epochs)
        if not has_diverged(losses):
            results.append((losses[-1], lr))
    return min(results)[1] if results else None
""",
        "mse_loss": "def mse_loss(preds, targets):\n    loss = nn.MSELoss()\n    return loss(preds, targets)",
    }),
    # --------------------------------------------------------- 04-linear-regression
    Alternative("stack-optimizer-solve", A4, {
        "make_data": """
def make_data(n, actual, seed):
    g = torch.Generator()
    g.manual_seed(seed)
    feature = torch.empty(n).uniform_(-1.15, 1.15, generator=g)
    X = torch.stack([feature, torch.ones(n)], dim=1)
    noise = torch.randn(n, generator=g)
    y = X @ actual + noise / 3
    return X, y
""",
        "split": """
def split(X, y, train_fraction):
    n_train = int(X.shape[0] * train_fraction)
    X_train, X_test = torch.split(X, [n_train, X.shape[0] - n_train])
    y_train, y_test = torch.split(y, [n_train, y.shape[0] - n_train])
    return X_train, X_test, y_train, y_test
""",
        "fit_sgd": """
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    optimizer = torch.optim.SGD([w], lr=lr)
    criterion = nn.MSELoss()
    last_loss = None
    for i in range(iterations):
        loss = criterion(X @ w, y)
        if i > 0 and abs(last_loss - loss.item()) <= tol:
            print(f"converged after {i} iterations")
            break
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        last_loss = loss.item()
    return w
""",
        "normal_equation": "def normal_equation(X, y):\n    return torch.linalg.solve(X.T @ X, X.T @ y)",
        "test_mse": "def test_mse(X_test, y_test, w):\n    return nn.MSELoss()(X_test @ w, y_test)",
        "good_lr": "good_lr = 0.5\nbad_lr = 5",
    }, extra_cells=(PLOT,), before=JUPYTER_HABITS),
    Alternative("cat-inverse-grad-none", A4, {
        "make_data": """
def make_data(n, actual, seed):
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=gen) * 2.3 - 1.15
    X = torch.cat([x, torch.ones(n, 1)], dim=1)
    y = X @ actual + torch.randn(n, generator=gen) / 3
    return X, y
""",
        "split": """
def split(X, y, train_fraction):
    cut = int(train_fraction * len(y))
    return X[:cut], X[cut:], y[:cut], y[cut:]
""",
        "fit_sgd": """
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    last_loss = None
    for it in range(iterations):
        loss = torch.mean((y - X @ w) ** 2)
        current = loss.item()
        if last_loss is not None and abs(last_loss - current) <= tol:
            break
        loss.backward()
        w.data -= lr * w.grad
        w.grad = None
        last_loss = current
    return w
""",
        "normal_equation": """
def normal_equation(X, y):
    XtX = X.t() @ X
    return XtX.inverse() @ (X.t() @ y)
""",
        "test_mse": """
def test_mse(X_test, y_test, w):
    predictions = X_test @ w
    return torch.mean((y_test - predictions) ** 2)
""",
        "good_lr": "good_lr = 0.05\nbad_lr = 2.0",
    }),
]
