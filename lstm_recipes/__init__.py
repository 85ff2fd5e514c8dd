"""LSTM Recipes: the runnable code of the book "LSTM 实战教程 / LSTM Recipes".

One small module per topic; chapters embed their code section by section:

- ``lstm_recipes.lifecycle``: define, compile, fit, evaluate, predict (ch. 4).
- ``lstm_recipes.training``: train small models fast (``fit_fast``).
- ``lstm_recipes.problems``: seeded synthetic sequence problems.
- ``lstm_recipes.plots``: learning curves and predictions.
- ``lstm_recipes.checks``: the input checks every recipe uses.
"""

__version__ = "0.1.0"
