"""Train a small two-layer network, written in NumPy, with srcgrad's
gradient: `python examples/mlp.py`."""

import numpy as np

import srcgrad


def loss(W1, b1, W2, b2, X, y):
    """Mean logistic loss of a tanh network with one hidden layer."""
    hidden = np.tanh(X @ W1 + b1)
    logits = hidden @ W2 + b2
    # log(1 + exp(-z)) for label 1, log(1 + exp(z)) for label 0, stably
    signed = (1.0 - 2.0 * y) * logits
    return np.mean(np.logaddexp(0.0, signed))


step = srcgrad.value_and_grad(loss, wrt=(0, 1, 2, 3))


def two_moons(count, rng):
    """Two interleaved half circles, labelled 0 and 1."""
    angle = rng.uniform(0.0, np.pi, count)
    label = rng.integers(0, 2, count)
    x = np.where(label == 1, 1.0 - np.cos(angle), np.cos(angle))
    y = np.where(label == 1, 0.5 - np.sin(angle), np.sin(angle))
    points = np.stack([x, y], axis=1) + 0.1 * rng.standard_normal((count, 2))
    return points, label.astype(float)


def train(steps=2000, rate=0.5, seed=0):
    rng = np.random.default_rng(seed)
    X, y = two_moons(300, rng)
    W1 = 0.5 * rng.standard_normal((2, 16))
    b1 = np.zeros(16)
    W2 = 0.5 * rng.standard_normal(16)
    b2 = 0.0
    history = []
    for _ in range(steps):
        value, (dW1, db1, dW2, db2) = step(W1, b1, W2, b2, X, y)
        history.append(value)
        W1 -= rate * dW1
        b1 -= rate * db1
        W2 -= rate * dW2
        b2 -= rate * db2
    predicted = (np.tanh(X @ W1 + b1) @ W2 + b2) > 0
    accuracy = float(np.mean(predicted == (y == 1)))
    return history, accuracy


if __name__ == "__main__":
    history, accuracy = train()
    print(
        f"loss {history[0]:.4f} -> {history[-1]:.4f}, training accuracy {accuracy:.3f}"
    )
