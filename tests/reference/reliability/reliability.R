# Reference for crates/stats/src/reliability.rs: standardised alpha (psych::alpha, std.alpha)
# and the one-factor principal-axis solution with omega total (psych::fa, fm = "pa", iterated
# to convergence) of a fixed correlation matrix (five self-regulation components, one reversed).
#   Rscript tests/reference/reliability/reliability.R > tests/reference/reliability/expected.txt
suppressMessages(library(psych))
r <- matrix(c(
  1.00, 0.42, 0.35, 0.28, -0.10,
  0.42, 1.00, 0.47, 0.31, 0.05,
  0.35, 0.47, 1.00, 0.22, 0.12,
  0.28, 0.31, 0.22, 1.00, 0.08,
  -0.10, 0.05, 0.12, 0.08, 1.00), 5, 5)
a <- suppressWarnings(alpha(r, check.keys = FALSE))$total$std.alpha
f <- fa(r, nfactors = 1, fm = "pa", max.iter = 10000, min.err = 1e-14, SMC = TRUE)
l <- as.numeric(f$loadings)
if (sum(l) < 0) l <- -l
omega <- sum(l)^2 / (sum(l)^2 + sum(1 - l^2))
cat(sprintf("alpha %.12f\n", a))
cat(sprintf("loadings %s\n", paste(sprintf("%.12f", l), collapse = " ")))
cat(sprintf("omega %.12f\n", omega))
