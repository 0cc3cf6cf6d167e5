"""Teaching helpers the pages use: convolution and pooling ops, cost counts, diagrams, plots."""
