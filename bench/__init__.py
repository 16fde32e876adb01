"""The benchmark: solver against the greedy baseline and against its own bound."""
