"""Unit tests of the step scripts (standard library only: python3 -m unittest discover -s tests)."""
import importlib.util
import math
import os
import unittest

STEPS = os.path.join(os.path.dirname(__file__), "..", "pipeline", "steps")


def load(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(STEPS, name + ".py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class PreprocessTests(unittest.TestCase):
    def test_scaling_maps_every_feature_into_the_unit_interval(self):
        preprocess = load("preprocess")
        rows = [
            {"tenure_months": "1", "monthly_charges": "20", "support_calls": "0", "contract_months": "1", "churned": "1"},
            {"tenure_months": "72", "monthly_charges": "120", "support_calls": "9", "contract_months": "24", "churned": "0"},
        ]
        scaled, ranges = preprocess.scale(rows)
        self.assertEqual(scaled[0][:4], [0.0, 0.0, 0.0, 0.0])
        self.assertEqual(scaled[1][:4], [1.0, 1.0, 1.0, 1.0])
        self.assertEqual(ranges["tenure_months"], (1.0, 72.0))


class TrainTests(unittest.TestCase):
    def test_gradient_descent_separates_a_separable_set(self):
        train = load("train")
        xs = [[0.0], [0.1], [0.9], [1.0]]
        ys = [0, 0, 1, 1]
        weights, loss = train.fit(xs, ys, epochs=500, rate=2.0)
        predictions = [train.sigmoid(weights[0] + weights[1] * x[0]) >= 0.5 for x in xs]
        self.assertEqual(predictions, [False, False, True, True])
        self.assertTrue(math.isfinite(loss) and loss < 0.5)


if __name__ == "__main__":
    unittest.main()
