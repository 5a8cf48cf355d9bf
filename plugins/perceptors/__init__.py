"""Built-in perceptors."""
