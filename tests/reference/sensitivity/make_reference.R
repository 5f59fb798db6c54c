# Reference outputs for omitted-variable sensitivity analysis:
#   * Cinelli & Hazlett (2020) via the R package `sensemakr`
#   * E-values (VanderWeele & Ding 2017) via the R package `EValue`
# used to check the Rust implementation.
#
# Produced with:
#   R 4.2.2 (Debian bookworm r-base-core 4.2.2.20221110-2)
#   sensemakr 0.1.6   (CRAN release; github.com/cran/sensemakr @ c2cf01a0bb0a)
#   EValue    4.1.4   (CRAN release; github.com/cran/EValue    @ 44c2dc41ce49)
#   (EValue imports: MetaUtility 2.1.2, metafor 3.8.1, boot 1.3.28.1,
#    dplyr 1.0.10, ggplot2 3.4.1 -- none of them is used by evalues.OLS)
# The versions actually loaded are checked below.
#
# How to run (from the repository root; reads regression.csv and writes into
# tests/reference/sensitivity/):
#   Rscript tests/reference/sensitivity/make_reference.R
#
# Outputs (numbers written with sprintf("%.17g"), NA as an empty field):
#   sensemakr.csv  name,value  -- sensemakr() on lm(y ~ d + x + factor(fe))
#   rv_grid.csv    partial_r2() and robustness_value() over a grid of t, dof, q
#   evalue.csv     EValue::evalues.OLS() for five (est, se, sd) cases

suppressPackageStartupMessages({
  library(sensemakr)
  library(EValue)
})

expected <- c(sensemakr = "0.1.6", EValue = "4.1.4")
for (p in names(expected)) {
  v <- as.character(utils::packageVersion(p))
  if (v != expected[[p]]) {
    warning(sprintf("%s version is %s, the committed references were made with %s",
                    p, v, expected[[p]]))
  }
}

dir <- "tests/reference/sensitivity"
if (!file.exists(file.path(dir, "regression.csv"))) {
  stop("run from the repository root: Rscript tests/reference/sensitivity/make_reference.R")
}

num <- function(v) ifelse(is.na(v), "", sprintf("%.17g", as.numeric(v)))

write_rows <- function(df, path) {
  cols <- lapply(df, function(col) if (is.numeric(col)) num(col) else as.character(col))
  lines <- do.call(paste, c(cols, sep = ","))
  writeLines(c(paste(names(df), collapse = ","), lines), path)
}

# ---------------------------------------------------------------------------
# 1. sensemakr on the regression data
# ---------------------------------------------------------------------------
data <- read.csv(file.path(dir, "regression.csv"))
stopifnot(nrow(data) == 1432, all(c("y", "d", "x", "fe") %in% names(data)))

model <- lm(y ~ d + x + factor(fe), data = data)
# (warns: the implied r2yz.dx > 1 is clipped to 1 -- see below)
s <- sensemakr(model = model, treatment = "d", benchmark_covariates = "x",
               kd = 1:3, ky = 1:3, q = 1, alpha = 0.05, reduce = TRUE)

ss <- s$sensitivity_stats
b  <- s$bounds
stopifnot(nrow(ss) == 1, nrow(b) == 3)

# benchmark partial R2s, computed the documented way
r2yxj.dx <- unname(partial_r2(model, covariates = "x"))
treat_model <- lm(d ~ x + factor(fe), data = data)
r2dxj.x <- unname(partial_r2(treat_model, covariates = "x"))
# the same numbers as sensemakr's internal treatment model lm(d ~ XX + 0)
chk <- suppressWarnings(ovb_partial_r2_bound(r2dxj.x = r2dxj.x, r2yxj.dx = r2yxj.dx, kd = 1:3, ky = 1:3))
stopifnot(isTRUE(all.equal(chk$r2dz.x, b$r2dz.x, tolerance = 1e-14)),
          isTRUE(all.equal(chk$r2yz.dx, b$r2yz.dx, tolerance = 1e-14)))

rows <- list(
  estimate        = ss$estimate,
  se              = ss$se,
  t               = ss$t_statistic,   # (estimate - h0)/se, h0 = estimate*(1-q) = 0 for q = 1
  dof             = ss$dof,
  partial_r2_yd_x = ss$r2yd.x,
  rv_q            = as.numeric(ss$rv_q),
  rv_qa           = as.numeric(ss$rv_qa),
  f2yd_x          = ss$f2yd.x,
  r2yxj_dx        = r2yxj.dx,
  r2dxj_x         = r2dxj.x
)
for (k in 1:3) {
  rows[[sprintf("bound_%d_r2dz_x", k)]]             <- b$r2dz.x[k]
  rows[[sprintf("bound_%d_r2yz_dx", k)]]            <- b$r2yz.dx[k]
  rows[[sprintf("bound_%d_adjusted_estimate", k)]]  <- b$adjusted_estimate[k]
  rows[[sprintf("bound_%d_adjusted_se", k)]]        <- b$adjusted_se[k]
  rows[[sprintf("bound_%d_adjusted_t", k)]]         <- as.numeric(b$adjusted_t[k])
  rows[[sprintf("bound_%d_adjusted_lower_ci", k)]]  <- b$adjusted_lower_CI[k]
  rows[[sprintf("bound_%d_adjusted_upper_ci", k)]]  <- b$adjusted_upper_CI[k]
}
# x is a strong predictor of y (r2yxj.dx ~ 0.67), so with ky >= 1 the implied
# r2yz.dx exceeds 1 and sensemakr clips it to 1 (with a warning): adjusted_se = 0,
# adjusted_t = Inf. Record the value before clipping (same formula as
# ovb_partial_r2_bound.numeric) so the clipping can be tested too.
kd <- 1:3; ky <- 1:3
r2zxj.xd <- kd * r2dxj.x^2 / ((1 - kd * r2dxj.x) * (1 - r2dxj.x))
r2yz.dx.raw <- ((sqrt(ky) + sqrt(r2zxj.xd)) / sqrt(1 - r2zxj.xd))^2 * (r2yxj.dx / (1 - r2yxj.dx))
for (k in 1:3) rows[[sprintf("bound_%d_r2yz_dx_unclipped", k)]] <- r2yz.dx.raw[k]

# Supplementary (not in the brief's list, same name,value file): bounds that are
# NOT clipped, so adjusted_se / adjusted_t / CI are exercised with r2yz.dx < 1.
#   manual_*  : user-supplied r2dz.x = 0.05, r2yz.dx = 0.10
#   lowky_k_* : benchmark x with kd = 1:3, ky = c(0.1, 0.2, 0.3)
s2 <- suppressWarnings(sensemakr(model = model, treatment = "d", benchmark_covariates = "x",
                                 kd = 1:3, ky = c(0.1, 0.2, 0.3), q = 1, alpha = 0.05,
                                 r2dz.x = 0.05, r2yz.dx = 0.10, reduce = TRUE))
b2 <- s2$bounds
stopifnot(nrow(b2) == 4, all(b2$r2yz.dx < 1))
add_bound <- function(rows, prefix, b, i) {
  rows[[paste0(prefix, "_r2dz_x")]]            <- b$r2dz.x[i]
  rows[[paste0(prefix, "_r2yz_dx")]]           <- b$r2yz.dx[i]
  rows[[paste0(prefix, "_adjusted_estimate")]] <- b$adjusted_estimate[i]
  rows[[paste0(prefix, "_adjusted_se")]]       <- b$adjusted_se[i]
  rows[[paste0(prefix, "_adjusted_t")]]        <- as.numeric(b$adjusted_t[i])
  rows[[paste0(prefix, "_adjusted_lower_ci")]] <- b$adjusted_lower_CI[i]
  rows[[paste0(prefix, "_adjusted_upper_ci")]] <- b$adjusted_upper_CI[i]
  rows
}
rows <- add_bound(rows, "manual", b2, 1)
for (k in 1:3) rows <- add_bound(rows, sprintf("lowky_%d", k), b2, k + 1)

# Independent re-derivation from the closed forms (guards the formulas quoted in
# README.md): every bound row of s and s2.
est <- ss$estimate; se <- ss$se; dof <- ss$dof
for (bb in list(b, b2)) {
  bias <- sqrt(bb$r2yz.dx * bb$r2dz.x / (1 - bb$r2dz.x)) * se * sqrt(dof)
  adj_est <- sign(est) * (abs(est) - bias)
  adj_se <- sqrt(1 - bb$r2yz.dx) / sqrt(1 - bb$r2dz.x) * se * sqrt(dof / (dof - 1))
  crit <- qt(0.975, df = dof)
  stopifnot(isTRUE(all.equal(adj_est, bb$adjusted_estimate, tolerance = 1e-13)),
            isTRUE(all.equal(adj_se, bb$adjusted_se, tolerance = 1e-13)),
            isTRUE(all.equal(adj_est - crit * adj_se, bb$adjusted_lower_CI, tolerance = 1e-13)),
            isTRUE(all.equal(adj_est + crit * adj_se, bb$adjusted_upper_CI, tolerance = 1e-13)))
}
fq <- abs(est / se) / sqrt(dof)
fc <- qt(0.975, df = dof - 1) / sqrt(dof - 1)
stopifnot(isTRUE(all.equal(as.numeric(ss$rv_q), 0.5 * (sqrt(fq^4 + 4 * fq^2) - fq^2), tolerance = 1e-13)),
          isTRUE(all.equal(as.numeric(ss$rv_qa),
                           0.5 * (sqrt((fq - fc)^4 + 4 * (fq - fc)^2) - (fq - fc)^2), tolerance = 1e-13)))

write_rows(data.frame(name = names(rows), value = unlist(rows, use.names = FALSE),
                      stringsAsFactors = FALSE),
           file.path(dir, "sensemakr.csv"))
cat("bound labels:", paste(c(b$bound_label, b2$bound_label), collapse = " | "), "\n")

# ---------------------------------------------------------------------------
# 2. partial_r2 / robustness_value over a grid
#    rv_q  = robustness_value(t, dof, q, alpha = 1)   (as sensitivity_stats does)
#    rv_qa = robustness_value(t, dof, q, alpha = 0.05)
# ---------------------------------------------------------------------------
grid <- expand.grid(t = c(0.5, 1.5, 2.0, 2.5, 4.0, 10.0, -3.0),
                    dof = c(5, 11, 100, 1430),
                    q = c(1, 0.5),
                    alpha = 0.05)
grid$partial_r2 <- mapply(function(t, dof) as.numeric(partial_r2(t_statistic = t, dof = dof)),
                          grid$t, grid$dof)
grid$rv_q  <- mapply(function(t, dof, q) as.numeric(robustness_value(t_statistic = t, dof = dof,
                                                                     q = q, alpha = 1)),
                     grid$t, grid$dof, grid$q)
grid$rv_qa <- mapply(function(t, dof, q, a) as.numeric(robustness_value(t_statistic = t, dof = dof,
                                                                        q = q, alpha = a)),
                     grid$t, grid$dof, grid$q, grid$alpha)
# closed-form re-derivation (see README.md): binding case, zero case, XRV case
rv_closed <- function(t, dof, q, alpha) {
  fq <- q * abs(t / sqrt(dof))
  fc <- abs(qt(alpha / 2, df = dof - 1)) / sqrt(dof - 1)
  fqa <- fq - fc
  ifelse(fqa < 0, 0,
         ifelse(fqa > 0 & fq > 1 / fc, (fq^2 - fc^2) / (1 + fq^2),
                2 / (1 + sqrt(1 + 4 / fqa^2))))
}
stopifnot(isTRUE(all.equal(grid$rv_qa, rv_closed(grid$t, grid$dof, grid$q, grid$alpha),
                           tolerance = 1e-14)),
          isTRUE(all.equal(grid$rv_q, rv_closed(grid$t, grid$dof, grid$q, 1), tolerance = 1e-14)),
          isTRUE(all.equal(grid$partial_r2, grid$t^2 / (grid$t^2 + grid$dof), tolerance = 1e-15)))
write_rows(grid[, c("t", "dof", "q", "alpha", "partial_r2", "rv_q", "rv_qa")],
           file.path(dir, "rv_grid.csv"))

# ---------------------------------------------------------------------------
# 3. E-values for OLS estimates
# ---------------------------------------------------------------------------
cases <- data.frame(est = c(0.30, 0.15, -0.20, 0.05, 0.30),
                    se  = c(0.10, 0.05,  0.08, 0.10, 0.10),
                    sd  = c(1.0,  1.0,   1.0,  1.0,  0.8))
ev <- do.call(rbind, lapply(seq_len(nrow(cases)), function(i) {
  r <- suppressMessages(evalues.OLS(est = cases$est[i], se = cases$se[i], sd = cases$sd[i],
                                    delta = 1, true = 0))
  r <- unclass(r)
  data.frame(est = cases$est[i], se = cases$se[i], sd = cases$sd[i],
             rr_point = r["RR", "point"], rr_lower = r["RR", "lower"], rr_upper = r["RR", "upper"],
             evalue_point = r["E-values", "point"], evalue_lower = r["E-values", "lower"],
             evalue_upper = r["E-values", "upper"])
}))
write_rows(ev, file.path(dir, "evalue.csv"))

cat("wrote sensemakr.csv, rv_grid.csv, evalue.csv into", dir, "\n")
for (p in c("sensemakr", "EValue"))
  cat(sprintf("%s %s\n", p, as.character(utils::packageVersion(p))))
cat(R.version.string, "\n")
