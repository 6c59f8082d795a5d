# %% [markdown]
# # The multilayer perceptron
#
# A layer is a matrix product and an activation, $h^{(l)} = \phi(W^{(l)} h^{(l-1)} + b^{(l)})$, with $W$
# of shape (outputs, inputs); a network is layers composed, $y = f^{(k)} \circ \dots \circ f^{(1)}(x)$
# (notes 002, 003, 004). Notes 000 set a 2-2-1 network by hand that computes XOR with sigmoids:
#
# $$y_1 = \sigma(-20 x_1 + 30 x_2 - 20),\quad y_2 = \sigma(30 x_1 - 20 x_2 - 20),\quad y = \sigma(30 y_1 + 30 y_2 - 20)$$

# %%
import chainrule as cr
from chainrule import nn

xor_net = cr.explain.notes_xor()
print(cr.explain.truth_table(xor_net))

# %%
cr.viz.plot_network(xor_net, title="The notes' XOR network: width ~ |w|, blue +, red -")

# %% [markdown]
# Without activations the layers collapse: $W^{(3)} W^{(2)} W^{(1)} x$ is one linear map, so depth
# buys nothing (notes 002). With them, a network learns XOR from data by gradient descent:

# %%
X, y = cr.data.xor()
cr.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 4), nn.Tanh(), nn.Linear(4, 1), nn.Sigmoid())
history = cr.fit(model, X, y.astype("float32"), loss="bce", optimizer="adam", lr=0.05, epochs=300,
                 batch_size=None, verbose=False)
print(f"loss {history.history['loss'][-1]:.4f}; predictions", (cr.train.predict(model, X) > 0.5).astype(int).ravel())

# %% [markdown]
# Counting parameters: a layer from $N$ to $M$ units has $M N$ weights and $M$ biases. Notes 004's
# 2-1024-512-3 network has $2 \cdot 1024 + 1024 + 1024 \cdot 512 + 512 + 512 \cdot 3 + 3 = 529{,}411$:

# %%
big = nn.Sequential(nn.Linear(2, 1024), nn.ReLU(), nn.Linear(1024, 512), nn.ReLU(), nn.Linear(512, 3))
print(cr.summary(big, input_shape=(2,)))

# %% [markdown]
# Reproduce: `chainrule demo xor`; notebook *3. XOR with a hidden layer*.
