"""Train: logistic regression by gradient descent on the preprocessed training set.

SageMaker Training conventions: the "train" channel is at /opt/ml/input/data/train,
hyperparameters are strings in /opt/ml/input/config/hyperparameters.json, and whatever
is written to /opt/ml/model is packed into model.tar.gz. Standard library only.
"""
import csv
import json
import math
import os

CHANNEL = "/opt/ml/input/data/train"
CONFIG = "/opt/ml/input/config/hyperparameters.json"
MODEL = "/opt/ml/model"


def hyperparameters():
    with open(CONFIG) as handle:
        raw = json.load(handle)
    return {"epochs": int(raw.get("epochs", "200")), "learning_rate": float(raw.get("learning_rate", "0.5"))}


def load(path):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = [[float(value) for value in row] for row in reader]
    return header[:-1], [row[:-1] for row in rows], [row[-1] for row in rows]


def sigmoid(z):
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def fit(xs, ys, epochs, rate):
    weights = [0.0] * (len(xs[0]) + 1)
    loss = 0.0
    for epoch in range(epochs):
        gradient = [0.0] * len(weights)
        loss = 0.0
        for x, y in zip(xs, ys):
            p = sigmoid(weights[0] + sum(w * v for w, v in zip(weights[1:], x)))
            error = p - y
            gradient[0] += error
            for i, v in enumerate(x):
                gradient[i + 1] += error * v
            loss -= y * math.log(p + 1e-12) + (1 - y) * math.log(1 - p + 1e-12)
        weights = [w - rate * g / len(xs) for w, g in zip(weights, gradient)]
    return weights, loss / len(xs)


def main():
    params = hyperparameters()
    features, xs, ys = load(os.path.join(CHANNEL, "train.csv"))
    weights, loss = fit(xs, ys, params["epochs"], params["learning_rate"])
    os.makedirs(MODEL, exist_ok=True)
    with open(os.path.join(MODEL, "model.json"), "w") as handle:
        json.dump({"features": features, "bias": weights[0], "weights": weights[1:]}, handle, indent=2)
    # Matched by the step's MetricDefinitions into FinalMetricDataList.
    print("train_loss=%.6f" % loss)


if __name__ == "__main__":
    main()
