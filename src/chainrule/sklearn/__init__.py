"""scikit-learn estimators built on chainrule: ``MLPClassifier``, ``MLPRegressor`` and ``Perceptron``.

They have scikit-learn's constructor parameters, defaults, methods and fitted attributes, pass
scikit-learn's own estimator checks, and drop into ``Pipeline``, ``GridSearchCV`` and
``cross_val_score``; underneath, the network is a chainrule ``nn.Sequential`` trained by chainrule's
autograd engine and optimisers (there is no second backpropagation). Needs the ``sklearn`` extra
(``pip install chainrule[sklearn]``).

>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from chainrule.sklearn import MLPClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), MLPClassifier((16,), solver="lbfgs", random_state=0)).fit(X, y)
>>> model.score(X, y) > 0.95
True
"""

from chainrule.sklearn.classifier import MLPClassifier
from chainrule.sklearn.perceptron import Perceptron
from chainrule.sklearn.regressor import MLPRegressor

__all__ = ["MLPClassifier", "MLPRegressor", "Perceptron"]
