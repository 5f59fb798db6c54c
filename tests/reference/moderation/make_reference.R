# Reference for crates/compare/src/moderation.rs: the programme effect as a function of a
# continuous moderator (the interaction model re-centred at each grid point), CR2 standard errors
# with Satterthwaite degrees of freedom (R clubSandwich), and the Johnson-Neyman boundaries.
#
# Rscript tests/reference/moderation/make_reference.R   (from the repository root)
# Writes data.csv (our own seeded data: 10 schools, 5 in the programme) and expected.csv.
suppressPackageStartupMessages(library(clubSandwich))
out <- "tests/reference/moderation"
set.seed(20261201)
G <- 10; n_per <- 40; n <- G * n_per
cl <- rep(0:(G - 1), each = n_per)
d <- as.integer(cl < 5)
fe <- sample(0:3, n, replace = TRUE)
z <- rnorm(n)
m <- 0.5 * z + rnorm(n)
u <- rnorm(G)[cl + 1] * 0.3
y <- 0.2 * d + 0.25 * d * m + 0.6 * z + 0.1 * m + 0.2 * fe + u + rnorm(n)
df <- data.frame(y = y, d = d, z = z, m = m, fe = fe, cl = cl)
write.csv(data.frame(y = sprintf("%.17g", y), d = d, z = sprintf("%.17g", z),
                     m = sprintf("%.17g", m), fe = fe, cl = cl),
          file.path(out, "data.csv"), row.names = FALSE, quote = FALSE)
df$fe <- factor(df$fe)

# Effect (coefficient of d) at moderator value m0, CR2 + Satterthwaite.
at <- function(moderator, m0) {
  df$c <- df$d * (df[[moderator]] - m0)
  f <- if (moderator == "z") y ~ d + c + z + fe else y ~ d + c + m + z + fe
  fit <- lm(f, data = df)
  ct <- coef_test(fit, vcov = "CR2", cluster = df$cl, test = "Satterthwaite")
  i <- which(ct$Coef == "d")
  j <- which(ct$Coef == "c")
  list(est = ct$beta[i], se = ct$SE[i], df = ct$df_Satt[i], p = ct$p_Satt[i],
       slope = ct$beta[j], slope_se = ct$SE[j], slope_df = ct$df_Satt[j], slope_p = ct$p_Satt[j])
}
gap <- function(moderator, m0) { # > 0 when the 95% interval excludes 0
  a <- at(moderator, m0)
  abs(a$est / a$se) - qt(0.975, a$df)
}
rows <- data.frame()
add <- function(moderator, kind, value, est, se, dfs, p) {
  rows <<- rbind(rows, data.frame(moderator = moderator, kind = kind,
    value = if (is.na(value)) "" else sprintf("%.17g", value),
    estimate = sprintf("%.17g", est), se = sprintf("%.17g", se), df = sprintf("%.17g", dfs),
    p_value = sprintf("%.17g", p),
    ci_low = sprintf("%.17g", est - qt(0.975, dfs) * se),
    ci_high = sprintf("%.17g", est + qt(0.975, dfs) * se)))
}
for (moderator in c("m", "z")) {
  name <- if (moderator == "m") "srl_index" else "baseline_z"
  q <- quantile(df[[moderator]], c(0.05, 0.95), type = 7)
  grid <- seq(q[1], q[2], length.out = 25)
  a0 <- at(moderator, grid[1])
  add(name, "slope", NA, a0$slope, a0$slope_se, a0$slope_df, a0$slope_p)
  g <- sapply(grid, function(x) gap(moderator, x))
  for (k in seq_along(grid)) {
    a <- at(moderator, grid[k])
    add(name, "curve", grid[k], a$est, a$se, a$df, a$p)
  }
  for (k in seq_len(length(grid) - 1)) {
    if (sign(g[k]) != sign(g[k + 1])) {
      b <- uniroot(function(x) gap(moderator, x), c(grid[k], grid[k + 1]), tol = 1e-12)$root
      a <- at(moderator, b)
      add(name, "boundary", b, a$est, a$se, a$df, a$p)
    }
  }
}
write.csv(rows, file.path(out, "expected.csv"), row.names = FALSE, quote = FALSE)
print(rows[rows$kind != "curve", ])
