#!/usr/bin/env Rscript
# Reference student growth percentiles WITHIN the school year (window M-E: mid-year to end of the
# same school year), computed with R's quantreg exactly as the SGP package's method is described
# in ../shared/data/sgp/README.md and as tests/reference/sgp_reference.R does year on year:
#   rq(current ~ bs(prior, knots, Boundary.knots), tau = (1:100 - 0.5)/100, method = "br"),
#   predictions rounded to 5 decimals and sorted per pupil, SGP = #quantiles strictly below the
#   observed score, clamped to 1..99.
# A cohort is subject x school year Y x grade g: pupils with an E score at grade g in Y and an M
# score at grade g in Y (order 1); order 2 adds the E score at grade g-1 in Y-1 (the SGP
# package's year progression Y-1.2, Y.1, Y.2 for within-year tests). Cohorts under 100 pupils
# are skipped (leerwinst's min_cohort default).
# Knots and boundaries by the package's rule (no knots file): quantiles 0.2, 0.4, 0.6, 0.8 of
# all scores of the prior's subject and grade at that moment (every school year), boundaries at
# the range extended by 10% of its width.
#
# Usage: Rscript tests/reference/sgp_within/reference.R tests/reference/sgp_within
#        (reads scores.csv.gz there, writes expected.csv there; the test reads expected.csv.gz:
#         gzip -9n expected.csv). Needs Debian's r-base-core and r-cran-quantreg.
suppressPackageStartupMessages({
  library(quantreg)
  library(splines)
})
args <- commandArgs(TRUE)
dir <- if (length(args) >= 1) args[1] else "."
d <- read.csv(gzfile(file.path(dir, "scores.csv.gz")), stringsAsFactors = FALSE)
taus <- (1:100 - 0.5) / 100
min_cohort <- 100

knots_of <- function(subject, grade, term) {
  s <- sort(d$score[d$subject == subject & d$grade == grade & d$term == term])
  pad <- 0.1 * (max(s) - min(s))
  list(knots = unname(quantile(s, c(0.2, 0.4, 0.6, 0.8), type = 7)),
       boundary = c(min(s) - pad, max(s) + pad))
}
basis <- function(x, subject, grade, term) {
  k <- knots_of(subject, grade, term)
  bs(x, knots = k$knots, Boundary.knots = k$boundary)
}
lookup <- function(ids, subject, year, grade, term) {
  s <- d[d$subject == subject & d$school_year == year & d$grade == grade & d$term == term, ]
  s$score[match(ids, s$pupil_id)]
}
previous_year <- function(y) {
  a <- as.integer(substr(y, 1, 4))
  sprintf("%d-%d", a - 1, a)
}
sgp_of <- function(y, X, coef) {
  pred <- round(cbind(1, X) %*% coef, 5)
  pred <- t(apply(pred, 1, sort))
  s <- rowSums(pred < y)
  s[s == 0] <- 1
  s[s == 100] <- 99
  s
}
nonunique <- 0
fit <- function(y, X) {
  withCallingHandlers(
    coef(rq(y ~ X, tau = taus, method = "br")),
    warning = function(w) {
      if (grepl("nonunique", conditionMessage(w))) {
        nonunique <<- nonunique + 1
        invokeRestart("muffleWarning")
      }
    })
}

out <- list()
for (year in sort(unique(d$school_year))) {
  for (subject in sort(unique(d$subject))) {
    for (g in sort(unique(d$grade))) {
      cur <- d[d$subject == subject & d$school_year == year & d$grade == g & d$term == "E", ]
      p1 <- lookup(cur$pupil_id, subject, year, g, "M")
      c1 <- cur[!is.na(p1), ]
      p1 <- p1[!is.na(p1)]
      if (nrow(c1) < min_cohort) next
      X1 <- basis(p1, subject, g, "M")
      s1 <- sgp_of(c1$score, X1, fit(c1$score, X1))
      res <- data.frame(pupil_id = c1$pupil_id, subject = subject, school_year = year,
                        grade = g, sgp_order_1 = s1, sgp_order_2 = NA_integer_)
      p2 <- lookup(c1$pupil_id, subject, previous_year(year), g - 1, "E")
      has2 <- !is.na(p2)
      if (sum(has2) >= min_cohort) {
        X2 <- cbind(basis(p2[has2], subject, g - 1, "E"), basis(p1[has2], subject, g, "M"))
        res$sgp_order_2[has2] <- sgp_of(c1$score[has2], X2, fit(c1$score[has2], X2))
      }
      out[[length(out) + 1]] <- res
      cat(sprintf("%s %s grade %d: n=%d (order 2: %d)\n", year, subject, g, nrow(res),
                  sum(!is.na(res$sgp_order_2))), file = stderr())
    }
  }
}
res <- do.call(rbind, out)
res <- res[order(res$school_year, res$subject, res$grade, res$pupil_id), ]
write.csv(res, file.path(dir, "expected.csv"), row.names = FALSE, na = "", quote = FALSE)
cat(sprintf("nonunique_warnings=%d\n", nonunique))
