"""LSTM Recipes: the runnable code of the book "LSTM 实战教程 / LSTM Recipes".

One small module per topic; chapters embed their code section by section:

Foundations (what an LSTM is, training, data, the model life-cycle)

- ``lstm_recipes.cell``: the LSTM cell in NumPy, checked against Keras.
- ``lstm_recipes.diagrams``: the cell diagram and gate plots.
- ``lstm_recipes.gradients``: gradients over time, SimpleRNN vs LSTM.
- ``lstm_recipes.prep``: scaling, one-hot, masking, lags, padding.
- ``lstm_recipes.lifecycle``: define, compile, fit, evaluate, predict.

Models

- ``lstm_recipes.vanilla``: one LSTM layer.
- ``lstm_recipes.stacked``: stacked LSTM layers.
- ``lstm_recipes.cnn_lstm``: a convolutional front end per frame.
- ``lstm_recipes.bidirectional``: per-step labels, both directions.
- ``lstm_recipes.alphabet``, ``lstm_recipes.stateful``: the alphabet
  experiments, stateful training and generation.

Tools

- ``lstm_recipes.problems``: seeded synthetic sequence problems.
- ``lstm_recipes.training``: train small models fast (``fit_fast``).
- ``lstm_recipes.plots``: learning curves, predictions, ``save_figure``.
- ``lstm_recipes.checks``: the input checks every recipe uses.
"""

__version__ = "0.1.0"
