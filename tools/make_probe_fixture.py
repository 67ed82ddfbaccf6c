#!/usr/bin/env python3
"""Builds the linear-probe fixture that LinearProbeTest compares PathoReason's logistic regression against.

    python tools/make_probe_fixture.py src/test/resources/org/pathoreason/eval/clip/probe-fixture.json

Features are Gaussian blobs (seeded NumPy), L2-normalised as CLIP embeddings are: a 4-class set (multinomial
softmax in scikit-learn) and a 2-class one (scikit-learn's binary parameterisation, one weight vector). For each C,
scikit-learn's LogisticRegression (L2 penalty, lbfgs, run to convergence: tol 1e-10, max_iter 10000) gives the
coefficients, intercepts, test predictions, accuracy and probabilities. The file also holds scikit-learn's
balanced accuracy, weighted F1, Cohen's kappa (unweighted and quadratic) and macro one-vs-rest AUROC of the 4-class
probe at C = 1, and the library versions.
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (accuracy_score, balanced_accuracy_score, cohen_kappa_score, f1_score,
                             roc_auc_score)


def blobs(rng, classes, dim, per_class, spread):
    centres = rng.normal(0, 1, size=(classes, dim))
    x, y = [], []
    for c in range(classes):
        x.append(centres[c] + spread * rng.normal(0, 1, size=(per_class, dim)))
        y += [c] * per_class
    x = np.concatenate(x)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    return x, np.array(y)


def case(name, classes, dim, seed, cs):
    rng = np.random.default_rng(seed)
    x, y = blobs(rng, classes, dim, 50, 1.4)
    order = rng.permutation(len(y))
    x, y = x[order], y[order]
    n_train = int(0.6 * len(y))
    out = {"name": name, "classes": classes, "train_x": x[:n_train].tolist(), "train_y": y[:n_train].tolist(),
           "test_x": x[n_train:].tolist(), "test_y": y[n_train:].tolist(), "fits": []}
    for c in cs:
        m = LogisticRegression(C=c, max_iter=10000, tol=1e-10).fit(x[:n_train], y[:n_train])
        pred = m.predict(x[n_train:])
        proba = m.predict_proba(x[n_train:])
        out["fits"].append({"C": c, "coef": m.coef_.tolist(), "intercept": m.intercept_.tolist(),
                            "n_iter": int(m.n_iter_[0]), "test_pred": pred.tolist(),
                            "test_accuracy": accuracy_score(y[n_train:], pred), "test_proba": proba.tolist()})
        if classes > 2 and c == 1.0:
            out["metrics"] = {
                "balanced_accuracy": balanced_accuracy_score(y[n_train:], pred),
                "weighted_f1": f1_score(y[n_train:], pred, average="weighted"),
                "cohen_kappa": cohen_kappa_score(y[n_train:], pred),
                "quadratic_kappa": cohen_kappa_score(y[n_train:], pred, weights="quadratic"),
                "macro_auroc": roc_auc_score(y[n_train:], proba, multi_class="ovr", average="macro"),
            }
    return out


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "src/test/resources/org/pathoreason/eval/clip/probe-fixture.json"
    fixture = {"cases": [case("four-class", 4, 12, 11, [0.1, 1.0, 10.0]), case("binary", 2, 8, 12, [0.5, 5.0])],
               "versions": {"python": sys.version.split()[0], "numpy": np.__version__,
                            "scikit-learn": sklearn.__version__}}
    with open(path, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print("wrote", path)


if __name__ == "__main__":
    main()
