# Reference outputs of the R package `did` (Callaway & Sant'Anna 2021) on a
# generated school board (board.csv, our own synthetic data; see README.md),
# with standard errors clustered by school, used to check the Rust
# implementation on repeated cross sections.
#
# board.csv: columns school (cluster id, 12 schools), year (school year start,
# 2021-2024), first_treat (first programme year of the school, 0 = never),
# growth_z (outcome); 1903 rows. The rows are repeated cross sections
# (different pupils each year, no unit id), so every fit uses panel = FALSE and
# no idname: did then numbers the observations internally (".rowid", one per
# row) and the influence function has one row per observation.
#
# Clustering: with clustervars = "school" and bstrap = FALSE, did >= 2.5.0
# reports *analytic* cluster-robust standard errors, se = sqrt(sum_c S_c^2)/n
# with S_c the school sums of the influence function (did 2.5.1 att_gt.R:559-567,
# compute.aggte.R:828-833; ?att_gt, argument bstrap/clustervars). did 2.3.0
# instead warns "clustering the standard errors requires using the bootstrap"
# and returns unclustered se, hence did >= 2.5.0 is required. The script
# checks that the se are clustered (they equal the school-sum formula computed
# here from the influence function and differ from the clustervars = NULL fit).
#
# Produced with:
#   R 4.2.2, did 2.5.1 (faster_mode = FALSE), DRDID 1.2.3, BMisc 1.4.8
#   (did 2.5.1 declares DRDID >= 1.3.0, which was not obtainable here; it
#   was installed with that declared minimum lowered to 1.2.3, no code changed).
# The versions actually loaded are printed at the end.
#
# How to run (from the repository root, with did 2.5.x on the library path;
# here did 2.5.1 lives in /tmp/Rlib251, so prefix R_LIBS=/tmp/Rlib251):
#   Rscript tests/reference/did/make_reference_board.R
#
# Outputs (see README.md):
#   board_att_gt.csv    case,group,time,att,se     (bstrap = FALSE, clustered)
#   board_aggte.csv     case,type,e,att,se         (aggte simple/group/calendar/dynamic)
#   board_bootstrap.csv level,e_or_group,time,att,se,crit_val
#                       (dr_never_varying, clustered multiplier bootstrap,
#                        biters = 20000, set.seed(1) before att_gt() and aggte())
# Numbers are written with sprintf("%.17g"), NA as an empty field.
# Warnings are not suppressed silently: they are collected and printed at the end.

suppressPackageStartupMessages(library(did))
if (utils::packageVersion("did") < "2.5.0") {
  stop("needs did >= 2.5.0 (analytic clustered standard errors); found ",
       utils::packageVersion("did"))
}

outdir <- file.path("tests", "reference", "did")
if (!dir.exists(outdir)) stop("run from the repository root: ", outdir, " not found")

num <- function(x) {
  x <- as.numeric(x)
  ifelse(is.na(x), "", sprintf("%.17g", x))
}

write_rows <- function(df, file) {
  utils::write.table(df, file = file, sep = ",", quote = FALSE,
                     row.names = FALSE, col.names = TRUE, na = "")
}

# collect warnings instead of hiding them
warnings_seen <- character(0)
collect <- function(expr, label) {
  withCallingHandlers(expr, warning = function(w) {
    warnings_seen <<- c(warnings_seen, paste0(label, ": ", conditionMessage(w)))
    invokeRestart("muffleWarning")
  })
}

#-------------------------------------------------------------------------------
# data
#-------------------------------------------------------------------------------
board <- utils::read.csv(file.path(outdir, "board.csv"))
stopifnot(identical(names(board), c("school", "year", "first_treat", "growth_z")),
          nrow(board) == 1903, length(unique(board$school)) == 12)

fit_case <- function(cs, clustervars = "school", bstrap = FALSE, cband = FALSE,
                     biters = 1000) {
  att_gt(yname = "growth_z", tname = "year", gname = "first_treat",
         idname = NULL, panel = FALSE, xformla = ~1, data = board,
         control_group = cs$cg, est_method = cs$est, base_period = cs$bp,
         clustervars = clustervars, bstrap = bstrap, cband = cband,
         biters = biters, faster_mode = FALSE)
}

#-------------------------------------------------------------------------------
# case grid
#-------------------------------------------------------------------------------
cases <- list()
for (est in c("reg", "dr")) {
  for (cg in c("nevertreated", "notyettreated")) {
    for (bp in c("varying", "universal")) {
      name <- paste(est, ifelse(cg == "nevertreated", "never", "notyet"), bp, sep = "_")
      cases[[name]] <- list(est = est, cg = cg, bp = bp)
    }
  }
}

#-------------------------------------------------------------------------------
# board_att_gt.csv and board_aggte.csv (analytic, school-clustered s.e.)
#-------------------------------------------------------------------------------
att_rows <- list()
agg_rows <- list()
for (name in names(cases)) {
  cs <- cases[[name]]
  fit <- collect(fit_case(cs), name)

  # check that the reported se are the school-clustered ones:
  # (1) equal to sqrt(sum_c S_c^2)/n with S_c the school sums of the influence
  #     function, schools looked up independently via the observation ids
  #     (rownames of inffunc = row numbers of board.csv);
  cl <- board$school[as.integer(rownames(fit$inffunc))]
  stopifnot(!anyNA(cl), identical(as.numeric(cl), as.numeric(fit$DIDparams$cluster_vector)))
  se_cl <- sqrt(colSums(rowsum(as.matrix(fit$inffunc), cl)^2)) / fit$n
  se_cl[se_cl <= sqrt(.Machine$double.eps) * 10] <- NA
  stopifnot(isTRUE(all.equal(se_cl, fit$se, tolerance = 1e-12)))
  # (2) different from the unclustered fit (same point estimates).
  fit0 <- collect(fit_case(cs, clustervars = NULL), paste(name, "(unclustered)"))
  stopifnot(isTRUE(all.equal(fit0$att, fit$att, tolerance = 1e-14)))
  ok <- !is.na(fit$se)
  cat(sprintf("%-22s cells %d, clustered/unclustered se ratio: min %.3f max %.3f\n",
              name, length(fit$att), min(fit$se[ok] / fit0$se[ok]),
              max(fit$se[ok] / fit0$se[ok])))
  stopifnot(all(abs(fit$se[ok] / fit0$se[ok] - 1) > 1e-6))

  att_rows[[name]] <- data.frame(case = name, group = num(fit$group),
                                 time = num(fit$t), att = num(fit$att),
                                 se = num(fit$se), stringsAsFactors = FALSE)
  for (type in c("simple", "group", "calendar", "dynamic")) {
    ag <- collect(aggte(fit, type = type, bstrap = FALSE, cband = FALSE,
                        na.rm = TRUE, clustervars = "school"),
                  paste(name, type))
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
}
write_rows(do.call(rbind, att_rows), file.path(outdir, "board_att_gt.csv"))
write_rows(do.call(rbind, agg_rows), file.path(outdir, "board_aggte.csv"))

#-------------------------------------------------------------------------------
# board_bootstrap.csv (school-clustered multiplier bootstrap, dr_never_varying)
#-------------------------------------------------------------------------------
cs <- cases[["dr_never_varying"]]
set.seed(1)
fit <- collect(fit_case(cs, bstrap = TRUE, cband = TRUE, biters = 20000),
               "dr_never_varying bootstrap")
set.seed(1)
ag <- collect(aggte(fit, type = "dynamic", bstrap = TRUE, cband = TRUE,
                    biters = 20000, clustervars = "school", na.rm = TRUE),
              "dr_never_varying bootstrap dynamic")
boot <- rbind(
  data.frame(level = "att_gt", e_or_group = num(fit$group), time = num(fit$t),
             att = num(fit$att), se = num(fit$se), crit_val = num(fit$c),
             stringsAsFactors = FALSE),
  data.frame(level = "dynamic", e_or_group = "", time = "",
             att = num(ag$overall.att), se = num(ag$overall.se), crit_val = "",
             stringsAsFactors = FALSE),
  data.frame(level = "dynamic", e_or_group = num(ag$egt), time = "",
             att = num(ag$att.egt), se = num(ag$se.egt),
             crit_val = num(ag$crit.val.egt), stringsAsFactors = FALSE))
write_rows(boot, file.path(outdir, "board_bootstrap.csv"))

#-------------------------------------------------------------------------------
cat(R.version.string, "\n")
for (p in c("did", "DRDID", "BMisc", "data.table", "Rcpp")) {
  cat(p, as.character(utils::packageVersion(p)), "\n")
}
if (length(warnings_seen) > 0) {
  cat("warnings from did:\n")
  for (w in unique(warnings_seen)) cat("  ", w, "\n")
} else {
  cat("no warnings from did\n")
}
