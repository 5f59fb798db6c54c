# Reference for leerwinst_stats::jackknife::band_critical_value: the equicoordinate two-sided
# 95% quantile of the multivariate t with G - 1 degrees of freedom and the correlation of the
# delete-one-cluster jackknife covariance, as mvtnorm::qmvt computes it.
#
# Rscript tests/reference/jackknife/make_reference.R   (from the repository root)
# Writes replicates.csv (case, estimate, cluster, value) and qmvt.csv (case, clusters,
# estimates, quantile, pointwise).
library(mvtnorm)
out <- "tests/reference/jackknife"
set.seed(20261201)
cases <- list(c(6, 3, 0.6), c(8, 3, 0.0), c(8, 4, 0.8), c(12, 5, 0.4), c(20, 2, -0.3), c(20, 8, 0.5))
reps <- data.frame()
quant <- data.frame()
for (i in seq_along(cases)) {
  g <- cases[[i]][1]; k <- cases[[i]][2]; rho <- cases[[i]][3]
  # Replicates with correlation about rho between neighbouring estimates.
  common <- rnorm(g)
  x <- sapply(seq_len(k), function(j) 0.1 * j + 0.05 * (rho * common + sqrt(1 - rho^2) * rnorm(g)))
  for (j in seq_len(k)) {
    reps <- rbind(reps, data.frame(case = i, estimate = j, cluster = seq_len(g), value = sprintf("%.17g", x[, j])))
  }
  d <- sweep(x, 2, colMeans(x))
  v <- (g - 1) / g * crossprod(d)
  r <- cov2cor(v)
  set.seed(1000 + i)
  q <- qmvt(0.95, tail = "both.tails", df = g - 1, corr = r,
            algorithm = GenzBretz(maxpts = 1e5, abseps = 1e-4, releps = 0))$quantile
  quant <- rbind(quant, data.frame(case = i, clusters = g, estimates = k,
                                   quantile = sprintf("%.10g", q),
                                   pointwise = sprintf("%.10g", qt(0.975, g - 1))))
}
write.csv(reps, file.path(out, "replicates.csv"), row.names = FALSE, quote = FALSE)
write.csv(quant, file.path(out, "qmvt.csv"), row.names = FALSE, quote = FALSE)
print(quant)
