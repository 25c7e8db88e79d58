"""Speed and memory figures, run by `make bench`."""
