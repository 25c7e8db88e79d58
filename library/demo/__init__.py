"""The demo library `make run` seeds: authorities, people and documents in every state, written by
hand and composed from themes. Imports the features it fills, web and core."""
