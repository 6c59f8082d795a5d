"""See what a network computes: its computational graph, activations, losses, gradient descent, decision
boundaries, training curves, weights and confusion matrices.

Every ``plot_*`` function returns a matplotlib ``Figure`` (save it with ``fig.savefig("name.png")`` or
``.svg``); in a notebook it shows once as the cell's value. matplotlib is imported on the first plot,
never by ``import chainrule``, and on a machine without a display the Agg backend is used.
``draw_graph`` returns a ``graphviz.Digraph``, drawn by Graphviz's ``dot`` program when it is installed
and by matplotlib when it is not (``plot_graph`` is that matplotlib drawing as a ``Figure``).

>>> import chainrule as cr
>>> fig = cr.viz.plot_activation("sigmoid")              # sigma and sigma' side by side
>>> fig = cr.viz.plot_gradient_descent(lambda x: x ** 2, x0=1.0, lr=0.3, steps=10)
"""

from __future__ import annotations

from chainrule.viz.activations import ACTIVATIONS, activation_and_derivative, plot_activation
from chainrule.viz.boundary import plot_data, plot_decision_boundary, predict_grid
from chainrule.viz.descent import gradient_descent_path, plot_gradient_descent
from chainrule.viz.diagnostics import plot_diagnostics
from chainrule.viz.graph import DotNotFoundError, DotSource, draw_graph, graph_nodes
from chainrule.viz.graph_picture import plot_graph
from chainrule.viz.history import plot_confusion_matrix, plot_history
from chainrule.viz.losses import LOSSES, loss_and_derivative, plot_loss
from chainrule.viz.network import network_layers, plot_network

__all__ = [
    "ACTIVATIONS", "LOSSES", "DotNotFoundError", "DotSource", "activation_and_derivative",
    "draw_graph", "gradient_descent_path", "graph_nodes", "loss_and_derivative", "network_layers",
    "plot_activation", "plot_confusion_matrix", "plot_data", "plot_diagnostics", "plot_decision_boundary",
    "plot_gradient_descent", "plot_graph", "plot_history", "plot_loss", "plot_network", "predict_grid",
]
