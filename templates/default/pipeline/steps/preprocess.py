"""Preprocess: split the raw churn CSV into train and test sets and scale the features.

SageMaker Processing conventions: inputs are staged under /opt/ml/processing/input,
whatever is written to the output folders is uploaded to S3 when the job ends.
Standard library only, so the step runs in any Python 3 image.
"""
import csv
import glob
import json
import os
import random

INPUT = "/opt/ml/processing/input"
TRAIN = "/opt/ml/processing/train"
TEST = "/opt/ml/processing/test"
FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract_months"]
LABEL = "churned"


def load_rows(folder):
    rows = []
    for path in sorted(glob.glob(os.path.join(folder, "**", "*.csv"), recursive=True)):
        with open(path, newline="") as handle:
            rows.extend(csv.DictReader(handle))
    if not rows:
        raise SystemExit("no CSV rows found under %s" % folder)
    return rows


def scale(rows):
    """Min-max scaling; the ranges are saved so inference can apply the same transform."""
    ranges = {}
    for name in FEATURES:
        values = [float(row[name]) for row in rows]
        ranges[name] = (min(values), max(values))
    scaled = []
    for row in rows:
        features = [(float(row[n]) - ranges[n][0]) / ((ranges[n][1] - ranges[n][0]) or 1.0) for n in FEATURES]
        scaled.append(features + [int(row[LABEL])])
    return scaled, ranges


def write(folder, name, rows):
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(FEATURES + [LABEL])
        writer.writerows(rows)


def main():
    rows = load_rows(INPUT)
    scaled, ranges = scale(rows)
    random.Random(int(os.environ.get("SPLIT_SEED", "42"))).shuffle(scaled)
    cut = int(len(scaled) * float(os.environ.get("TRAIN_FRACTION", "0.8")))
    write(TRAIN, "train.csv", scaled[:cut])
    write(TEST, "test.csv", scaled[cut:])
    with open(os.path.join(TRAIN, "scaling.json"), "w") as handle:
        json.dump(ranges, handle, indent=2, sort_keys=True)
    print("preprocess: %d rows -> %d train, %d test" % (len(scaled), cut, len(scaled) - cut))


if __name__ == "__main__":
    main()
