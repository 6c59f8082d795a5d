# %% [markdown]
# # The perceptron and XOR
#
# Rosenblatt's perceptron (notes 001, 004) is a neuron with a hard threshold and a learning rule of
# its own, applied one sample at a time: $w \leftarrow w + \eta\,(y - \hat y)\,x$. It learns AND, OR
# and NOT, because a line separates their classes:

# %%
import warnings

import chainrule as cr

for gate in ("and", "or", "nand"):
    X, y = cr.data.logic_gate(gate)
    perceptron = cr.Perceptron(2, lr=1.0, seed=0).fit(X, y)
    print(f"{gate.upper():<5} weights {perceptron.weight.round(2).tolist()}  bias {perceptron.bias:.2f}  "
          f"learned in {perceptron.n_epochs_} epochs")

# %% [markdown]
# XOR is the famous failure that led to the first AI winter: $(0.5, 0.5)$ is the average of both classes'
# corners, so no line can put the two classes on different sides. The perceptron never settles:

# %%
X, y = cr.data.xor()
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # "did not converge": the point of the example
    xor_perceptron = cr.Perceptron(2, lr=1.0, seed=0).fit(X, y, max_epochs=20)
print("converged:", xor_perceptron.converged_, " predictions:", xor_perceptron.predict(X).tolist(),
      " targets:", y.tolist())

# %% [markdown]
# A second layer fixes it. Notes 002 build XOR from threshold units: $h_1$ is OR ($x_1 + x_2 - 0.5 > 0$),
# $h_2$ is AND ($x_1 + x_2 - 1.5 > 0$), and the output is $h_1$ AND NOT $h_2$:

# %%
print(cr.explain.truth_table(cr.explain.notes_threshold_xor()))

# %%
cr.viz.plot_decision_boundary(cr.explain.notes_threshold_xor(), X, y, title="XOR from OR, AND and AND-NOT units")

# %% [markdown]
# Reproduce: `chainrule demo logic-gates` and `chainrule demo xor`; notebooks *2. The perceptron* and
# *3. XOR with a hidden layer*.
