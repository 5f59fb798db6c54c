# R side of bench/designs.sh: MatchIt's default propensity-score matching (glm, 1:1 nearest
# neighbour without replacement, largest first) on the data crates/compare/examples/designs_scale.rs
# wrote. Prints the wall time of matchit() (the propensity model and the matching).
# Usage: Rscript bench/peers/matchit_scale.R DATA.csv
suppressMessages(library(MatchIt))
d <- read.csv(commandArgs(TRUE)[1])
t <- system.time(m <- matchit(treat ~ x1 + x2, data = d, method = "nearest"))
cat(sprintf("matchit_seconds=%.2f\n", t[["elapsed"]]))
cat(sprintf("matchit_matched=%d\n", sum(!is.na(m$match.matrix[, 1]))))
