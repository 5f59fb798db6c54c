# R side of bench/quantreg.sh: times quantreg's simplex ("br") and Frisch-Newton ("fn") on the
# cohort that crates/stats/examples/rq_scale.rs wrote, with the same basis and the same 100
# quantiles. Usage: Rscript bench/peers/rq_scale.R COHORT.csv [br|fn|both]
suppressMessages({library(quantreg); library(splines)})
args <- commandArgs(TRUE)
d <- read.csv(args[1])
which <- if (length(args) > 1) args[2] else "both"
X <- cbind(1, bs(d$prior, knots = c(440, 480, 520, 560), Boundary.knots = c(380, 620)))
taus <- (1:100 - 0.5) / 100
if (which %in% c("br", "both")) {
  t <- system.time(for (tau in taus) rq.fit.br(X, d$current, tau = tau))
  cat(sprintf("r_br_seconds=%.3f\n", t[["elapsed"]]))
}
if (which %in% c("fn", "both")) {
  t <- system.time(for (tau in taus) rq.fit.fnb(X, d$current, tau = tau))
  cat(sprintf("r_fn_seconds=%.3f\n", t[["elapsed"]]))
}
