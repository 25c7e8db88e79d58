"""The demo library `make run` seeds: authorities, people and documents in every state, some
written by hand and more composed from themes."""
