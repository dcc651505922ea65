"""Evaluate: score the trained model on the test set and write the evaluation report.

The report is the step's property file (EvaluationReport): the quality gate reads
metrics.accuracy.value from it with Std:JsonGet. Its shape is declared for pipeops lint
in tests/fixtures/evaluation.json. Standard library only.
"""
import csv
import json
import math
import os
import tarfile

MODEL = "/opt/ml/processing/model"
TEST = "/opt/ml/processing/test"
OUTPUT = "/opt/ml/processing/evaluation"


def load_model():
    archive = os.path.join(MODEL, "model.tar.gz")
    if os.path.exists(archive):
        with tarfile.open(archive) as tar:
            tar.extractall(MODEL, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(MODEL)
    with open(os.path.join(MODEL, "model.json")) as handle:
        return json.load(handle)


def main():
    model = load_model()
    with open(os.path.join(TEST, "test.csv"), newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        rows = [[float(value) for value in row] for row in reader]
    correct = 0
    positives = true_positives = predicted = 0
    for row in rows:
        x, y = row[:-1], row[-1]
        z = model["bias"] + sum(w * v for w, v in zip(model["weights"], x))
        guess = 1.0 if 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))) >= 0.5 else 0.0
        correct += guess == y
        positives += y == 1.0
        predicted += guess == 1.0
        true_positives += guess == 1.0 and y == 1.0
    accuracy = correct / len(rows)
    recall = true_positives / positives if positives else 0.0
    precision = true_positives / predicted if predicted else 0.0
    report = {
        "metrics": {
            "accuracy": {"value": round(accuracy, 4)},
            "precision": {"value": round(precision, 4)},
            "recall": {"value": round(recall, 4)},
        },
        "test_rows": len(rows),
    }
    os.makedirs(OUTPUT, exist_ok=True)
    with open(os.path.join(OUTPUT, "evaluation.json"), "w") as handle:
        json.dump(report, handle, indent=2)
    print("evaluate: accuracy=%.4f on %d rows" % (accuracy, len(rows)))


if __name__ == "__main__":
    main()
