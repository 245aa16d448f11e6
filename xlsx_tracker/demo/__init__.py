"""demo: the whole monthly cycle on the embedded master in a scratch workspace, with units simulated (simulate)."""
