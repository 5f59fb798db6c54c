# Reference outputs of the R package `did` (Callaway & Sant'Anna 2021) on its
# bundled `mpdta` data, used to check the Rust implementation.
#
# Produced with:
#   R 4.2.2 (Debian bookworm r-base-core 4.2.2.20221110-2)
#   did   2.3.0   (default faster_mode = FALSE code path)
#   DRDID 1.2.3
#   BMisc 1.4.6
#   (also: fastglm 0.0.4, parglm 0.1.8, data.table 1.18.0, Rcpp 1.1.2)
# The versions actually loaded are checked below and printed at the end.
#
# How to run (from the repository root; writes into tests/reference/did/):
#   Rscript tests/reference/did/make_reference.R
#
# Outputs: mpdta.csv, att_gt.csv, aggte.csv, bootstrap.csv (see README.md).
# Numbers are written with sprintf("%.17g"), NA as an empty field.

suppressPackageStartupMessages({
  library(did)
})

expected <- c(did = "2.3.0", DRDID = "1.2.3", BMisc = "1.4.6")
for (p in names(expected)) {
  v <- as.character(utils::packageVersion(p))
  if (v != expected[[p]]) {
    warning(sprintf("%s version is %s, the committed references were made with %s",
                    p, v, expected[[p]]))
  }
}

outdir <- file.path("tests", "reference", "did")
if (!dir.exists(outdir)) stop("run from the repository root: ", outdir, " not found")

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.na(x), "", sprintf("%.17g", x))
}

write_rows <- function(df, file) {
  # df: data.frame of character columns, already formatted
  utils::write.table(df, file = file, sep = ",", quote = FALSE,
                     row.names = FALSE, col.names = TRUE, na = "")
}

#-------------------------------------------------------------------------------
# data
#-------------------------------------------------------------------------------
data(mpdta, package = "did")
mpdta$state <- mpdta$countyreal %/% 1000

write_rows(data.frame(
  year        = num(mpdta$year),
  countyreal  = num(mpdta$countyreal),
  lpop        = num(mpdta$lpop),
  lemp        = num(mpdta$lemp),
  first_treat = num(mpdta$first.treat),
  treat       = num(mpdta$treat),
  state       = num(mpdta$state),
  stringsAsFactors = FALSE
), file.path(outdir, "mpdta.csv"))

#-------------------------------------------------------------------------------
# case grid
#-------------------------------------------------------------------------------
cases <- list()
for (panel in c(TRUE, FALSE)) {
  for (est in c("reg", "dr", "ipw")) {
    for (xf in c("x1", "xlpop")) {
      for (cg in c("nevertreated", "notyettreated")) {
        for (bp in c("varying", "universal")) {
          name <- paste(est, xf, ifelse(cg == "nevertreated", "never", "notyet"),
                        bp, ifelse(panel, "panel", "rc"), sep = "_")
          cases[[name]] <- list(est = est, xf = xf, cg = cg, bp = bp,
                                panel = panel, ant = 0)
        }
      }
    }
  }
}
for (panel in c(TRUE, FALSE)) {
  name <- paste("reg_x1_never_varying", ifelse(panel, "panel", "rc"), "ant1", sep = "_")
  cases[[name]] <- list(est = "reg", xf = "x1", cg = "nevertreated", bp = "varying",
                        panel = panel, ant = 1)
}

xformula <- function(tag) if (tag == "x1") ~1 else ~lpop

fit_case <- function(cs, bstrap = FALSE, cband = FALSE, biters = 1000,
                     clustervars = NULL) {
  att_gt(yname = "lemp", tname = "year", idname = "countyreal",
         gname = "first.treat", xformla = xformula(cs$xf), data = mpdta,
         panel = cs$panel, control_group = cs$cg, anticipation = cs$ant,
         bstrap = bstrap, cband = cband, biters = biters,
         clustervars = clustervars, est_method = cs$est,
         base_period = cs$bp)
}

#-------------------------------------------------------------------------------
# att_gt.csv and aggte.csv (analytic standard errors)
#-------------------------------------------------------------------------------
att_rows <- list()
agg_rows <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  fit <- suppressWarnings(fit_case(cs))
  att_rows[[name]] <- data.frame(case = name, group = num(fit$group),
                                 time = num(fit$t), att = num(fit$att),
                                 se = num(fit$se), stringsAsFactors = FALSE)
  for (type in c("simple", "group", "calendar", "dynamic")) {
    ag <- suppressWarnings(aggte(fit, type = type, bstrap = FALSE, cband = FALSE,
                                 na.rm = TRUE))
    rows <- data.frame(case = name, type = type, e = "",
                       att = num(ag$overall.att), se = num(ag$overall.se),
                       stringsAsFactors = FALSE)
    if (!is.null(ag$egt)) {
      rows <- rbind(rows, data.frame(case = name, type = type, e = num(ag$egt),
                                     att = num(ag$att.egt), se = num(ag$se.egt),
                                     stringsAsFactors = FALSE))
    }
    agg_rows[[paste(name, type)]] <- rows
  }
  cat("done", name, "\n")
}
write_rows(do.call(rbind, att_rows), file.path(outdir, "att_gt.csv"))
write_rows(do.call(rbind, agg_rows), file.path(outdir, "aggte.csv"))

#-------------------------------------------------------------------------------
# bootstrap.csv (multiplier bootstrap, Rademacher weights from R's RNG)
#-------------------------------------------------------------------------------
boot_rows <- list()
for (name in c("reg_x1_never_varying_panel", "dr_xlpop_never_varying_panel")) {
  cs <- cases[[name]]
  for (cl in c("none", "state")) {
    clv <- if (cl == "none") NULL else "state"
    set.seed(1)
    fit <- suppressWarnings(fit_case(cs, bstrap = TRUE, cband = TRUE,
                                     biters = 20000, clustervars = clv))
    boot_rows[[paste(name, cl, "att_gt")]] <- data.frame(
      case = name, cluster = cl, level = "att_gt",
      e_or_group = num(fit$group), time = num(fit$t),
      att = num(fit$att), se = num(fit$se), crit_val = num(fit$c),
      stringsAsFactors = FALSE)
    set.seed(1)
    ag <- suppressWarnings(aggte(fit, type = "dynamic", bstrap = TRUE, cband = TRUE,
                                 biters = 20000, clustervars = clv, na.rm = TRUE))
    boot_rows[[paste(name, cl, "dynamic")]] <- rbind(
      data.frame(case = name, cluster = cl, level = "dynamic",
                 e_or_group = "", time = "",
                 att = num(ag$overall.att), se = num(ag$overall.se),
                 crit_val = "", stringsAsFactors = FALSE),
      data.frame(case = name, cluster = cl, level = "dynamic",
                 e_or_group = num(ag$egt), time = "",
                 att = num(ag$att.egt), se = num(ag$se.egt),
                 crit_val = num(ag$crit.val.egt), stringsAsFactors = FALSE))
    cat("done bootstrap", name, cl, "\n")
  }
}
write_rows(do.call(rbind, boot_rows), file.path(outdir, "bootstrap.csv"))

cat(R.version.string, "\n")
for (p in c("did", "DRDID", "BMisc", "fastglm", "parglm", "data.table", "Rcpp")) {
  cat(p, as.character(utils::packageVersion(p)), "\n")
}
