# Reference results of R MatchIt 4.5.1 (Debian r-cran-matchit) for leerwinst's propensity-score
# matching (crates/stats/src/matching.rs; test crates/stats/tests/matchit_reference.rs).
#
# Writes tests/reference/matchit/: data.csv (a generated observational data set: 3 covariates,
# treatment more likely with high x1 and low x2, outcome with a planted effect of 0.5), and per
# configuration <name>_matches.csv (row of each treated unit, its matched control rows in match
# order, 1-based), <name>_weights.csv, <name>_att.csv (ATT and cluster-robust SE as in the
# MatchIt vignette: lm(y ~ treat, weights) with sandwich::vcovCL by subclass, or by pair member
# for matching with replacement), <name>_balance.csv (standardised mean differences and variance
# ratios before and after), and glm.csv (the propensity model's coefficients).
#
# Rerun: apt-get install r-cran-matchit r-cran-sandwich && Rscript tests/reference/matchit_reference.R
suppressMessages({library(MatchIt); library(sandwich)})
out <- "tests/reference/matchit"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
set.seed(20261122)
n <- 600
x1 <- rnorm(n); x2 <- rnorm(n); x3 <- rbinom(n, 1, 0.4)
p <- plogis(-0.8 + 0.9 * x1 - 0.6 * x2 + 0.5 * x3)
treat <- rbinom(n, 1, p)
y <- 0.5 * treat + 0.8 * x1 + 0.4 * x2 - 0.3 * x3 + rnorm(n)
d <- data.frame(treat, x1 = round(x1, 6), x2 = round(x2, 6), x3, y = round(y, 6))
write.csv(d, file.path(out, "data.csv"), row.names = FALSE)
d <- read.csv(file.path(out, "data.csv"))

g <- glm(treat ~ x1 + x2 + x3, data = d, family = binomial())
write.csv(data.frame(term = names(coef(g)), estimate = sprintf("%.15g", coef(g))),
          file.path(out, "glm.csv"), row.names = FALSE, quote = FALSE)

# MatchIt 4.5.1-4.5.3 match a distance *vector* with an integer abs(): the nearest control is
# always the left neighbour and calipers never bind (MatchIt issue #163; check:
# matchit(treat ~ x, data.frame(treat = c(1, 0, 0, 0), x = 1:4), distance = c(.5, .45, .52, .9))
# matches unit 2, not 3). Its distance-*matrix* path is correct, so the propensity score enters
# as the matrix |ps_t - ps_c|; that path allows data order only, and calipers in distance units
# (std.caliper = FALSE), which we set to caliper x sd(ps) ourselves.
ps <- fitted(g)
dm <- abs(outer(ps[d$treat == 1], ps[d$treat == 0], "-"))
dimnames(dm) <- list(rownames(d)[d$treat == 1], rownames(d)[d$treat == 0])
write.csv(data.frame(row = seq_len(n), ps = sprintf("%.17g", ps)), file.path(out, "ps.csv"),
          row.names = FALSE, quote = FALSE)
configs <- list(
  nn1 = list(ratio = 1, replace = FALSE, caliper = NULL),
  nn2_cal = list(ratio = 2, replace = FALSE, caliper = 0.2),
  nn1_rep = list(ratio = 1, replace = TRUE, caliper = NULL),
  nn3_rep_cal = list(ratio = 3, replace = TRUE, caliper = 0.1),
  nn1_cal = list(ratio = 1, replace = FALSE, caliper = 0.05)
)
for (name in names(configs)) {
  cf <- configs[[name]]
  cal <- if (is.null(cf$caliper)) NULL else cf$caliper * sd(ps)
  m <- matchit(treat ~ x1 + x2 + x3, data = d, method = "nearest", distance = dm,
               ratio = cf$ratio, replace = cf$replace, caliper = cal, std.caliper = FALSE,
               m.order = "data")
  m$distance <- ps
  mm <- m$match.matrix
  rows <- as.integer(rownames(mm))
  mmi <- matrix(as.integer(mm), nrow = nrow(mm))
  write.csv(data.frame(treated = rows, mmi), file.path(out, paste0(name, "_matches.csv")),
            row.names = FALSE, na = "")
  write.csv(data.frame(row = seq_len(n), weight = sprintf("%.15g", m$weights)),
            file.path(out, paste0(name, "_weights.csv")), row.names = FALSE, quote = FALSE)
  md <- match.data(m)
  fit <- lm(y ~ treat, data = md, weights = weights)
  cl <- if (cf$replace) {
    # With replacement a control can serve several treated units: cluster by unit.
    md$row <- as.integer(rownames(md)); ~row
  } else ~subclass
  v <- vcovCL(fit, cluster = cl, type = "HC1")
  write.csv(data.frame(att = sprintf("%.15g", coef(fit)[["treat"]]),
                       se = sprintf("%.15g", sqrt(v["treat", "treat"])),
                       n_treated = sum(md$treat == 1), n_control = sum(md$treat == 0)),
            file.path(out, paste0(name, "_att.csv")), row.names = FALSE, quote = FALSE)
  s <- summary(m, standardize = TRUE)
  b <- function(tab, when) data.frame(when = when, term = rownames(tab),
                                      smd = sprintf("%.15g", tab[, "Std. Mean Diff."]),
                                      var_ratio = sprintf("%.15g", tab[, "Var. Ratio"]))
  write.csv(rbind(b(s$sum.all, "before"), b(s$sum.matched, "after")),
            file.path(out, paste0(name, "_balance.csv")), row.names = FALSE, quote = FALSE)
  cat(name, ": matched treated", sum(!is.na(mm[, 1])), " ATT", coef(fit)[["treat"]], "\n")
}
