"""The run loop: build components from a plan, optimise, write outputs."""
