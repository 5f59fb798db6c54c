# Supplementary reference: state-clustered inference as done by `did` 2.5.x.
#
# did 2.5.0 changed clustered inference (cluster *sums* of the influence
# function instead of cluster *means*, see README.md), so the clustered rows of
# bootstrap.csv (made with did 2.3.0) do not match current did. This script
# records the did 2.5.x behaviour for the same two cases:
#   * multiplier bootstrap clustered by state (bstrap = TRUE, biters = 20000,
#     set.seed(1) before att_gt() and again before aggte()), and
#   * the analytic cluster-robust standard errors that did >= 2.5.0 reports
#     when clustervars is set and bstrap = FALSE (deterministic).
# Everything not clustered is identical between did 2.3.0 and 2.5.1 on these
# cases (checked to ~1e-12 relative), so it is not repeated here.
#
# Produced with:
#   R 4.2.2, did 2.5.1 (faster_mode = FALSE), DRDID 1.2.3, BMisc 1.4.8
#   (did 2.5.1 declares DRDID >= 1.3.0, which was not obtainable here; it
#   was installed with that declared minimum lowered to 1.2.3, no code changed).
#
# How to run (from the repository root, with did 2.5.x on the library path):
#   Rscript tests/reference/did/make_reference_did25.R
# Output: bootstrap_did25.csv

suppressPackageStartupMessages(library(did))
if (utils::packageVersion("did") < "2.5.0") stop("needs did >= 2.5.0")

outdir <- file.path("tests", "reference", "did")
if (!dir.exists(outdir)) stop("run from the repository root: ", outdir, " not found")

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.na(x), "", sprintf("%.17g", x))
}

data(mpdta, package = "did")
mpdta$state <- mpdta$countyreal %/% 1000

fit_case <- function(est, xf, bstrap) {
  att_gt(yname = "lemp", tname = "year", idname = "countyreal",
         gname = "first.treat", xformla = xf, data = mpdta,
         panel = TRUE, control_group = "nevertreated",
         bstrap = bstrap, cband = bstrap, biters = 20000,
         clustervars = "state", est_method = est,
         base_period = "varying", faster_mode = FALSE)
}

agg_rows <- function(name, method, ag, type, with_crit) {
  rbind(
    data.frame(case = name, cluster = "state", se_method = method, level = type,
               e_or_group = "", time = "", att = num(ag$overall.att),
               se = num(ag$overall.se), crit_val = "", stringsAsFactors = FALSE),
    if (!is.null(ag$egt))
      data.frame(case = name, cluster = "state", se_method = method, level = type,
                 e_or_group = num(ag$egt), time = "", att = num(ag$att.egt),
                 se = num(ag$se.egt),
                 crit_val = if (with_crit) num(ag$crit.val.egt) else "",
                 stringsAsFactors = FALSE))
}

rows <- list()
specs <- list(reg_x1_never_varying_panel = list(est = "reg", xf = ~1),
              dr_xlpop_never_varying_panel = list(est = "dr", xf = ~lpop))
for (name in names(specs)) {
  sp <- specs[[name]]

  # bootstrap, clustered by state
  set.seed(1)
  fit <- suppressWarnings(fit_case(sp$est, sp$xf, bstrap = TRUE))
  rows[[paste(name, "boot")]] <- data.frame(
    case = name, cluster = "state", se_method = "bootstrap", level = "att_gt",
    e_or_group = num(fit$group), time = num(fit$t), att = num(fit$att),
    se = num(fit$se), crit_val = num(fit$c), stringsAsFactors = FALSE)
  set.seed(1)
  ag <- suppressWarnings(aggte(fit, type = "dynamic", bstrap = TRUE, cband = TRUE,
                               biters = 20000, clustervars = "state", na.rm = TRUE))
  rows[[paste(name, "boot dyn")]] <- agg_rows(name, "bootstrap", ag, "dynamic", TRUE)

  # analytic cluster-robust standard errors
  fit <- suppressWarnings(fit_case(sp$est, sp$xf, bstrap = FALSE))
  rows[[paste(name, "analytic")]] <- data.frame(
    case = name, cluster = "state", se_method = "analytic", level = "att_gt",
    e_or_group = num(fit$group), time = num(fit$t), att = num(fit$att),
    se = num(fit$se), crit_val = "", stringsAsFactors = FALSE)
  for (type in c("simple", "group", "calendar", "dynamic")) {
    ag <- suppressWarnings(aggte(fit, type = type, bstrap = FALSE, cband = FALSE,
                                 na.rm = TRUE))
    rows[[paste(name, "analytic", type)]] <- agg_rows(name, "analytic", ag, type, FALSE)
  }
}
utils::write.table(do.call(rbind, rows), file = file.path(outdir, "bootstrap_did25.csv"),
                   sep = ",", quote = FALSE, row.names = FALSE, col.names = TRUE, na = "")

cat(R.version.string, "\n")
for (p in c("did", "DRDID", "BMisc", "fastglm", "data.table", "Rcpp")) {
  cat(p, as.character(utils::packageVersion(p)), "\n")
}
