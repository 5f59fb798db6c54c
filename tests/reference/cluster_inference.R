# Reference values for CR2 (Bell-McCaffrey) cluster-robust SEs with Satterthwaite degrees of
# freedom, as R clubSandwich computes them, for the data sets of cluster_inference_data.py.
#
# For every model: lm() with the fixed effect as factor dummies (so the CR2 hat matrix is the
# one of the full dummy design), then
#   clubSandwich::coef_test(fit, vcov = "CR2", cluster = df$cl, test = "Satterthwaite")
# (unweighted lm: target = NULL -> identity working model, inverse_var = TRUE), and also
#   vcovCR(fit, cluster = df$cl, type = "CR1S")   Stata's G/(G-1) * (N-1)/(N-K), K = all
#   columns incl. intercept and fe dummies; equals statsmodels' cov_type="cluster".
# Rows are written for every coefficient except the intercept and the fe dummies (those are
# absorbed on the Rust side). Numbers are printed with 17 significant digits.
#
# Output: tests/reference/cluster_inference/cr2_expected.csv with columns
#   dataset,model,term,estimate,se_cr2,df_satterthwaite,p_satterthwaite,se_cr1s
#
# Rerun (from the repository root):
#   apt-get install -y r-base-core r-cran-clubsandwich r-cran-sandwich
#   python3 tests/reference/cluster_inference_data.py     # only if the CSVs must be rebuilt
#   Rscript tests/reference/cluster_inference.R

suppressPackageStartupMessages(library(clubSandwich))

args <- commandArgs(trailingOnly = FALSE)
script <- sub("^--file=", "", args[grep("^--file=", args)])
dir <- file.path(dirname(normalizePath(script)), "cluster_inference")

read <- function(name) {
  df <- read.csv(file.path(dir, paste0(name, ".csv")))
  df$fe <- factor(df$fe)
  df
}

models <- list(
  list(dataset = "A", model = "A", formula = y ~ d + z + fe),
  list(dataset = "B", model = "B1", formula = y ~ d + z + fe),
  list(dataset = "B", model = "B2", formula = y ~ dm1 + dm2 + dm3 + m2 + m3 + z + fe),
  list(dataset = "C", model = "C", formula = y ~ d + z)
)

f17 <- function(x) sprintf("%.17g", x)
out <- list()
for (m in models) {
  df <- read(m$dataset)
  fit <- lm(m$formula, data = df)
  ct <- coef_test(fit, vcov = "CR2", cluster = df$cl, test = "Satterthwaite")
  v1s <- vcovCR(fit, cluster = df$cl, type = "CR1S")
  terms <- setdiff(names(coef(fit)), c("(Intercept)", grep("^fe", names(coef(fit)), value = TRUE)))
  for (t in terms) {
    r <- ct[t, ]
    out[[length(out) + 1]] <- data.frame(
      dataset = m$dataset, model = m$model, term = t,
      estimate = f17(r$beta), se_cr2 = f17(r$SE), df_satterthwaite = f17(r$df_Satt),
      p_satterthwaite = f17(r$p_Satt), se_cr1s = f17(sqrt(v1s[t, t])))
  }
  cat("==", m$model, "\n")
  print(ct)
}
res <- do.call(rbind, out)
write.csv(res, file.path(dir, "cr2_expected.csv"), row.names = FALSE, quote = FALSE)
print(res)
