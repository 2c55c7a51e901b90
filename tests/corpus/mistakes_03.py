"""Mistakes students make in 03-optimizer-loop, one per notebook."""

from tests.corpus import Edit, Variant

A = "03-optimizer-loop"
STEP = "        loss.backward()\n        optimizer.step()\n"
PICK = """    best, best_loss = None, math.inf
    for lr in lrs:
        _, losses = train_sgd(loss_fn, start, lr, epochs)
        if not has_diverged(losses) and losses[-1] < best_loss:
            best, best_loss = lr, losses[-1]
    return best
"""

MISTAKES = [
    Variant("typeerror-wrong-answer", A, "q1-optimizer", "optimizer-needs-iterable",
            (Edit('typeerror_answer = "b"', 'typeerror_answer = "d"'),)),
    Variant("optimizer-given-a-tensor", A, "q1-optimizer", "optimizer-needs-iterable",
            (Edit("torch.optim.SGD([a], lr=lr)", "torch.optim.SGD(a, lr=lr)"),)),
    Variant("forgot-zero-grad", A, "q2-train-sgd", "forgot-zero-grad",
            (Edit("        optimizer.zero_grad()\n", ""),)),
    Variant("step-before-backward", A, "q2-train-sgd", "step-before-backward",
            (Edit(STEP, "        optimizer.step()\n        loss.backward()\n"),)),
    Variant("sign-flipped", A, "q2-train-sgd", "sign-flipped",
            (Edit("        loss.backward()\n", "        (-loss).backward()\n"),)),
    Variant("loss-after-step", A, "q2-train-sgd", "loss-after-step",
            (Edit("loss_history.append(loss.item())", "loss_history.append(loss_fn(a).item())"),)),
    Variant("start-not-copied", A, "q2-train-sgd", "start-not-copied",
            (Edit("a = start.detach().clone().requires_grad_(True)", "a = start.requires_grad_(True)"),)),
    Variant("history-aliased", A, "q2-train-sgd", "history-aliased",
            (Edit("params_history.append(a.detach().clone())", "params_history.append(a)"),)),
    Variant("divergence-inf-only", A, "q3-has-diverged", "no-divergence-check",
            (Edit("    if any(not math.isfinite(loss) for loss in loss_history):\n        return True\n"
                  "    return len(loss_history) > 0 and loss_history[-1] > loss_history[0]\n",
                  "    return any(math.isinf(loss) for loss in loss_history)\n"),)),
    Variant("pick-diverged-lr", A, "q4-pick-lr", "diverging-lr",
            (Edit(PICK, "    return min(lrs, key=lambda lr: train_sgd(loss_fn, start, lr, epochs)[1][-1])\n"),)),
    Variant("mse-loss-sum", A, "q5-mse-loss", "sum-not-mean",
            (Edit("nn.MSELoss()(preds, targets)", 'nn.MSELoss(reduction="sum")(preds, targets)'),)),
    Variant("mse-loss-rmse", A, "q5-mse-loss", "rmse-not-mse",
            (Edit("nn.MSELoss()(preds, targets)", "nn.MSELoss()(preds, targets).sqrt()"),)),
]
