#!/usr/bin/env Rscript
# Reference student growth percentiles for SGPdata's sgpData_LONG, computed with R's quantreg
# exactly as ../shared/data/sgp/README.md describes the SGP package's method (SGP 2.2):
#   rq(current ~ bs(prior, knots, Boundary.knots), tau = (1:100 - 0.5)/100, method = "br"),
#   predictions rounded to 5 decimals and sorted per pupil, SGP = #quantiles strictly below the
#   observed score, clamped to 1..99; order 2 adds the score of two years back; highest order wins.
#
# Usage: Rscript tests/reference/sgp_reference.R ../shared/data/sgp tests/reference/sgp [YEARS...]
#        gzip -9 tests/reference/sgp/sgp_expected.csv   (the test reads the .gz)
# Needs Debian's r-base-core and r-cran-quantreg (splines is part of R).
# Writes OUT_DIR/sgp_expected.csv (ID, CONTENT_AREA, YEAR, GRADE, SGP_ORDER_1, SGP_ORDER_2),
# OUT_DIR/sgp_coef_MATHEMATICS_2023_2024_5_order1.csv (one cohort's coefficient matrix, 17
# significant digits), OUT_DIR/bs_values.csv (splines::bs at fixed points) and prints the wall
# time of the fits as `fit_seconds=...` for the benchmark.
suppressPackageStartupMessages({
  library(quantreg)
  library(splines)
})
args <- commandArgs(TRUE)
data_dir <- if (length(args) >= 1) args[1] else "../shared/data/sgp"
out_dir <- if (length(args) >= 2) args[2] else "."
years_wanted <- if (length(args) >= 3) args[3:length(args)] else c("2022_2023", "2023_2024")

d <- read.csv(gzfile(file.path(data_dir, "sgpData_LONG.csv.gz")), stringsAsFactors = FALSE)
d <- d[d$VALID_CASE == "VALID_CASE" & !is.na(d$SCALE_SCORE),
       c("ID", "CONTENT_AREA", "YEAR", "GRADE", "SCALE_SCORE")]
kb <- read.csv(file.path(data_dir, "knots_boundaries_demo.csv"), stringsAsFactors = FALSE)
taus <- (1:100 - 0.5) / 100
all_years <- sort(unique(d$YEAR))

kb_of <- function(ca, g) {
  k <- kb[kb$content_area == ca & kb$prior_grade == g, ]
  if (nrow(k) != 1) stop("no knots for ", ca, " grade ", g)
  list(knots = as.numeric(k[1, c("knot_1", "knot_2", "knot_3", "knot_4")]),
       boundary = c(k$boundary_low, k$boundary_high))
}
basis <- function(x, ca, g) {
  k <- kb_of(ca, g)
  bs(x, knots = k$knots, Boundary.knots = k$boundary)
}
# Score of (id, content area, year, grade), NA when absent.
lookup <- function(ids, ca, year, grade) {
  s <- d[d$CONTENT_AREA == ca & d$YEAR == year & d$GRADE == grade, ]
  s$SCALE_SCORE[match(ids, s$ID)]
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
fit_seconds <- 0
for (year in years_wanted) {
  yi <- match(year, all_years)
  for (ca in c("MATHEMATICS", "READING")) {
    for (g in sort(unique(d$GRADE))) {
      cur <- d[d$CONTENT_AREA == ca & d$YEAR == year & d$GRADE == g, ]
      if (yi < 2 || nrow(kb[kb$content_area == ca & kb$prior_grade == g - 1, ]) == 0) next
      p1 <- lookup(cur$ID, ca, all_years[yi - 1], g - 1)
      c1 <- cur[!is.na(p1), ]
      p1 <- p1[!is.na(p1)]
      if (nrow(c1) == 0) next
      t0 <- proc.time()[["elapsed"]]
      X1 <- basis(p1, ca, g - 1)
      b1 <- fit(c1$SCALE_SCORE, X1)
      s1 <- sgp_of(c1$SCALE_SCORE, X1, b1)
      fit_seconds <- fit_seconds + proc.time()[["elapsed"]] - t0
      if (year == "2023_2024" && ca == "MATHEMATICS" && g == 5) {
        m <- b1
        dimnames(m) <- NULL
        write.table(formatC(m, digits = 17, format = "g"),
                    file.path(out_dir, "sgp_coef_MATHEMATICS_2023_2024_5_order1.csv"),
                    sep = ",", quote = FALSE, row.names = FALSE, col.names = FALSE)
      }
      res <- data.frame(ID = c1$ID, CONTENT_AREA = ca, YEAR = year, GRADE = g,
                        SGP_ORDER_1 = s1, SGP_ORDER_2 = NA_integer_)
      if (yi >= 3 && nrow(kb[kb$content_area == ca & kb$prior_grade == g - 2, ]) == 1) {
        p2 <- lookup(c1$ID, ca, all_years[yi - 2], g - 2)
        has2 <- !is.na(p2)
        if (any(has2)) {
          t0 <- proc.time()[["elapsed"]]
          X2 <- cbind(basis(p2[has2], ca, g - 2), basis(p1[has2], ca, g - 1))
          b2 <- fit(c1$SCALE_SCORE[has2], X2)
          res$SGP_ORDER_2[has2] <- sgp_of(c1$SCALE_SCORE[has2], X2, b2)
          fit_seconds <- fit_seconds + proc.time()[["elapsed"]] - t0
        }
      }
      out[[length(out) + 1]] <- res
      cat(sprintf("%s %s grade %d: n=%d (order 2: %d)\n", year, ca, g, nrow(res),
                  sum(!is.na(res$SGP_ORDER_2))), file = stderr())
    }
  }
}
res <- do.call(rbind, out)
res <- res[order(res$YEAR, res$CONTENT_AREA, res$GRADE, res$ID), ]
write.csv(res, file.path(out_dir, "sgp_expected.csv"), row.names = FALSE, na = "")

# splines::bs at fixed points, for the basis unit test.
k <- kb_of("MATHEMATICS", 3)
x <- c(150, 200, 392, 400, 455.5, 529, 600, 700)
b <- bs(x, knots = k$knots, Boundary.knots = k$boundary)
write.table(formatC(cbind(x, unclass(b)[, ]), digits = 17, format = "g"),
            file.path(out_dir, "bs_values.csv"), sep = ",", quote = FALSE,
            row.names = FALSE, col.names = FALSE)
cat(sprintf("nonunique_warnings=%d\n", nonunique))
cat(sprintf("fit_seconds=%.3f\n", fit_seconds))
