# %% [markdown]
# # Representation learning
#
# Notes 001 make the case with two rings: in Cartesian coordinates $(x_1, x_2)$ no line separates them,
# but in polar coordinates $(r, \theta)$ a threshold on the radius does. Choosing the representation is
# most of the work; a hidden layer learns one.

# %%
import warnings

import chainrule as cr
from chainrule import nn

X, y = cr.data.rings(n_samples=400, n_rings=2, noise=0.05, seed=0)
for name, features in (("cartesian (x1, x2)", X), ("polar (r, theta)", cr.data.polar(X))):
    perceptron = cr.Perceptron(2, lr=0.1, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        perceptron.fit(features, y, max_epochs=100)
    print(f"perceptron on {name:<19} accuracy {(perceptron.predict(features) == y).mean():.3f}")

# %%
cr.viz.plot_data(cr.data.polar(X), y, title="The rings in polar coordinates", feature_names=("r", "theta"))

# %% [markdown]
# A network with one hidden layer, given only $(x_1, x_2)$, learns a representation in which the rings
# are separable: its output layer is a linear classifier on the hidden units.

# %%
cr.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
cr.fit(model, X, y, loss="cross_entropy", optimizer="adam", lr=0.05, epochs=100, batch_size=32, verbose=False)
print(cr.evaluate(model, X, y, loss="cross_entropy", metrics=["accuracy"]))
cr.viz.plot_decision_boundary(model, X, y, title="A hidden layer of 16 tanh units")

# %% [markdown]
# Reproduce: `chainrule demo polar-rings --plot rings.png`; notebook *7. Representation learning*.
