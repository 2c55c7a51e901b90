"""04-linear-regression: real code for the data, the split, SGD, the normal equation and the test error."""

from tests.corpus.realworld import RealCase

A = "04-linear-regression"
LESSON2 = "gmaggiotti/fastai src/torch/basic/lesson2-sgd.py (fast.ai lesson 2: x = torch.ones(n,2); x[:,0].uniform_(-1.,1))"
SHUFFLE = "longlnOff/Deep-Learning-with-Pytorch-Step-by-Step data_preparation/v0.py (np.random.shuffle(idx); train_idx = idx[:int(N*.8)])"
D2L = "https://d2l.ai/chapter_linear-regression/linear-regression-scratch.html"
DEEP_ML = "siddarth-pm/deep-ml solns/014.py"

STOP = """
        if last_loss is not None and abs(last_loss - loss.item()) <= tol:
            break"""


CASES = [
    # ------------------------------------------------------------- q1 make_data
    RealCase("lesson2-data", A, LESSON2,
             {"make_data": """
def make_data(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.ones(n, 2)
    x[:, 0].uniform_(-1.15, 1.15, generator=g)
    y = x @ actual + torch.randn(n, generator=g) / 3
    return x, y
"""}),
    RealCase("rand-scaled-stack", A, "https://pytorch.org/docs/stable/generated/torch.rand.html "
             "(uniform on [a, b) as (b - a) * torch.rand(n) + a)",
             {"make_data": """
def make_data(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    feature = (1.15 - -1.15) * torch.rand(n, generator=g) + -1.15
    X = torch.stack([feature, torch.ones(n)], dim=1)
    noise = torch.randn(n, generator=g)
    y = X @ actual + noise / 3
    return X, y
"""}),
    RealCase("lesson2-uniform-noise", A, LESSON2 + " (y = x@a + torch.rand(n): uniform noise)",
             {"make_data": """
def make_data(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.ones(n, 2)
    x[:, 0].uniform_(-1.15, 1.15, generator=g)
    y = x @ actual + torch.rand(n, generator=g) / 3
    return x, y
"""}, "q1-make-data", "noise-uniform"),
    RealCase("bias-first", A, "https://github.com/ageron/handson-ml2/blob/master/04_training_linear_models.ipynb "
             "(X_b = np.c_[np.ones((100, 1)), X]: the bias column first)",
             {"make_data": """
def make_data(n, actual, seed):
    g = torch.Generator().manual_seed(seed)
    x = torch.empty(n, 1).uniform_(-1.15, 1.15, generator=g)
    X_b = torch.cat([torch.ones(n, 1), x], dim=1)
    y = X_b @ actual + torch.randn(n, generator=g) / 3
    return X_b, y
"""}, "q1-make-data", "bias-column"),
    # ----------------------------------------------------------------- q2 split
    RealCase("slices", A, "hootan09/python_notebook Code/pytorch/chapter1/data_preparation/v0.py, without the shuffle",
             {"split": """
def split(X, y, train_fraction):
    n_train = int(len(X) * train_fraction)
    X_train, y_train = X[:n_train], y[:n_train]
    X_test, y_test = X[n_train:], y[n_train:]
    return X_train, X_test, y_train, y_test
"""}),
    RealCase("torch-split", A, "yeyeyeping/DL CodeForAlgorithm/TorchCode/Basic/README.md (torch.split)",
             {"split": """
def split(X, y, train_fraction):
    size = int(X.shape[0] * train_fraction)
    X_train, X_test = torch.split(X, [size, X.shape[0] - size])
    y_train, y_test = torch.split(y, [size, y.shape[0] - size])
    return X_train, X_test, y_train, y_test
"""}),
    RealCase("randperm-split", A, SHUFFLE,
             {"split": """
def split(X, y, train_fraction):
    N = len(X)
    idx = torch.randperm(N)
    train_idx = idx[:int(N * train_fraction)]
    val_idx = idx[int(N * train_fraction):]
    return X[train_idx], X[val_idx], y[train_idx], y[val_idx]
"""}, "q2-split", "split-shuffled"),
    RealCase("random-split", A, "https://pytorch.org/docs/stable/data.html#torch.utils.data.random_split",
             {"split": """
from torch.utils.data import random_split


def split(X, y, train_fraction):
    n_train = int(len(X) * train_fraction)
    train_set, test_set = random_split(range(len(X)), [n_train, len(X) - n_train])
    return X[train_set.indices], X[test_set.indices], y[train_set.indices], y[test_set.indices]
"""}, "q2-split", "split-shuffled"),
    # --------------------------------------------------------------- q3 fit_sgd
    RealCase("d2l-zero-first", A, D2L + " (zero_grad before backward)",
             {"fit_sgd": f"""
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    last_loss = None
    for _ in range(iterations):
        if w.grad is not None:
            w.grad.zero_()
        loss = ((X @ w - y) ** 2).mean(){STOP}
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        last_loss = loss.item()
    return w
"""}),
    RealCase("lesson2-sub", A, LESSON2 + " (with torch.no_grad(): a.sub_(lr * a.grad); a.grad.zero_())",
             {"fit_sgd": f"""
def fit_sgd(X, y, lr, iterations, tol=0.0):
    a = nn.Parameter(torch.zeros(X.shape[1]))
    last_loss = None
    for t in range(iterations):
        y_hat = X @ a
        loss = ((y - y_hat) ** 2).mean(){STOP}
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
        last_loss = loss.item()
    return a
"""}),
    RealCase("optimizer-fit", A, "https://pytorch.org/tutorials/beginner/basics/optimization_tutorial.html",
             {"fit_sgd": f"""
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    optimizer = torch.optim.SGD([w], lr=lr)
    last_loss = None
    for _ in range(iterations):
        loss = nn.MSELoss()(X @ w, y){STOP}
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        last_loss = loss.item()
    return w
"""}),
    RealCase("column-weight", A, D2L + " (self.w = torch.normal(0, sigma, (num_inputs, 1)): a (d, 1) weight)",
             {"fit_sgd": f"""
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1], 1))
    last_loss = None
    for _ in range(iterations):
        loss = ((X @ w - y) ** 2).mean(){STOP}
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        last_loss = loss.item()
    return w
"""}, "q3-fit-sgd", "broadcast-shape"),
    RealCase("d2l-half-loss", A, D2L + " (l = (y_hat - y) ** 2 / 2; return l.mean())",
             {"fit_sgd": f"""
def fit_sgd(X, y, lr, iterations, tol=0.0):
    w = nn.Parameter(torch.zeros(X.shape[1]))
    last_loss = None
    for _ in range(iterations):
        loss = ((X @ w - y) ** 2 / 2).mean(){STOP}
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad.zero_()
        last_loss = loss.item()
    return w
"""}, "q3-fit-sgd", "half-mse"),
    RealCase("lesson2-no-stop", A, LESSON2 + " (for t in range(1000): update(): no convergence stop)",
             {"fit_sgd": """
def fit_sgd(X, y, lr, iterations, tol=0.0):
    a = nn.Parameter(torch.zeros(X.shape[1]))
    for t in range(iterations):
        loss = ((X @ a - y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            a.sub_(lr * a.grad)
            a.grad.zero_()
    return a
"""}, "q3-fit-sgd", "no-convergence-stop"),
    # ------------------------------------------------------- q4 normal equation
    RealCase("deep-ml-inv", A, DEEP_ML + " (inv(X^T X) @ X^T y with y as a column, flattened and rounded to 4 decimals)",
             {"normal_equation": """
def normal_equation(X, y):
    X_t = torch.as_tensor(X, dtype=torch.float)
    y_t = torch.as_tensor(y, dtype=torch.float).reshape(-1, 1)
    XtX = X_t.T @ X_t
    Xty = X_t.T @ y_t
    theta = torch.linalg.inv(XtX) @ Xty
    theta = theta.flatten()
    return torch.round(theta * 1e4) / 1e4
"""}),
    RealCase("geron-inv-dot", A, "https://github.com/ageron/handson-ml2/blob/master/04_training_linear_models.ipynb "
             "(np.linalg.inv(X_b.T.dot(X_b)).dot(X_b.T).dot(y))",
             {"normal_equation": "def normal_equation(X, y):\n    return torch.inverse(X.t().mm(X)).mm(X.t()).mv(y)\n"}),
    RealCase("pinv", A, "https://pytorch.org/docs/stable/generated/torch.linalg.pinv.html",
             {"normal_equation": "def normal_equation(X, y):\n    return torch.linalg.pinv(X) @ y\n"}),
    RealCase("deep-ml-column", A, DEEP_ML + " without the final flatten: a (2, 1) column",
             {"normal_equation": """
def normal_equation(X, y):
    y_t = y.reshape(-1, 1)
    return torch.linalg.inv(X.T @ X) @ (X.T @ y_t)
"""}, "q4-normal-equation", "wrong-shape"),
    RealCase("inverse-of-x", A, "https://pytorch.org/docs/stable/generated/torch.inverse.html "
             "(a square-system example, Xinv = torch.inverse(X); w = torch.matmul(Xinv, y))",
             {"normal_equation": "def normal_equation(X, y):\n    Xinv = torch.inverse(X)\n    return torch.matmul(Xinv, y)\n"},
             "q4-normal-equation", "inverse-of-x"),
    # --------------------------------------------------------------- q5 test MSE
    RealCase("functional-test-mse", A, "https://pytorch.org/docs/stable/generated/torch.nn.functional.mse_loss.html",
             {"test_mse": "def test_mse(X_test, y_test, w):\n    return torch.nn.functional.mse_loss(X_test @ w, y_test)\n"}),
    RealCase("rmse-test", A, "wanglec/cse151b-kaggle src/loss.py (loss = torch.sqrt(criterion(yhat, y)))",
             {"test_mse": "def test_mse(X_test, y_test, w):\n    return torch.sqrt(((X_test @ w - y_test) ** 2).mean())\n"},
             "q5-test-mse", "rmse-not-mse"),
    RealCase("d2l-half-test", A, D2L + " (squared_loss: (y_hat - y) ** 2 / 2)",
             {"test_mse": "def test_mse(X_test, y_test, w):\n    return ((X_test @ w - y_test) ** 2 / 2).mean()\n"},
             "q5-test-mse", "half-mse"),
    # ---------------------------------------------------------- q6 learning rates
    RealCase("lesson2-lr", A, LESSON2 + " (lr = 1e-1)",
             {"good_lr": "good_lr = 1e-1\nbad_lr = 10\n"}),
    RealCase("fastbook-lr", A, "https://github.com/fastai/fastbook/blob/master/04_mnist_basics.ipynb (lr = 1e-5)",
             {"good_lr": "good_lr = 1e-5\nbad_lr = 10\n"},
             "q6-learning-rate", "lr-too-small"),
]
