"""LSTM Recipes: the runnable code of the book "LSTM 实战教程 / LSTM Recipes".

One small module per topic; chapters embed their code section by section:

Foundations

- ``lstm_recipes.cell``: the LSTM cell in NumPy, checked against Keras (ch. 1).
- ``lstm_recipes.diagrams``: the cell diagram and gate plots (ch. 1).
- ``lstm_recipes.gradients``: gradients over time, SimpleRNN vs LSTM (ch. 2).
- ``lstm_recipes.prep``: scaling, one-hot, masking, lags, padding (ch. 3).
- ``lstm_recipes.lifecycle``: define, compile, fit, evaluate, predict (ch. 4).

Models

- ``lstm_recipes.vanilla``: one LSTM layer (ch. 5).
- ``lstm_recipes.stacked``: stacked LSTM layers (ch. 6).
- ``lstm_recipes.cnn_lstm``: a convolutional front end per frame (ch. 7).
- ``lstm_recipes.bidirectional``: per-step labels, both directions (ch. 9).
- ``lstm_recipes.alphabet``, ``lstm_recipes.stateful``: the alphabet
  experiments, stateful training and generation (ch. 12).

Tools

- ``lstm_recipes.problems``: seeded synthetic sequence problems.
- ``lstm_recipes.training``: train small models fast (``fit_fast``).
- ``lstm_recipes.plots``: learning curves, predictions, ``save_figure``.
- ``lstm_recipes.checks``: the input checks every recipe uses.
"""

__version__ = "0.1.0"
