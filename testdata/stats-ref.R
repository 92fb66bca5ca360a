# stats-ref.R - reference values for common/stats (tests/unit/test_stats.c):
# R's type 7 quantile (quantile's default) and the coefficient p-values of
# summary.lm and summary.glm, on random inputs, printed with 17 significant
# digits (every double reads back exactly).
# Run in testdata/:  Rscript stats-ref.R > stats-ref.txt
# Lines: q N P X1..XN VALUE | t STAT DF VALUE | z STAT VALUE
set.seed(20261201)
g <- function(v) sprintf("%.17g", v)
for (i in 1:600) {
  n <- sample(c(1:12, 20, 37, 100), 1)
  digits <- sample(0:3, 1)
  x <- round(rnorm(n, sample(c(0, 5, 1000), 1), 10^runif(1, -2, 3)), digits)
  if (runif(1) < 0.2) x <- x * 10^sample(-8:8, 1)
  k <- sample(2:10, 1)
  p <- switch(sample(1:4, 1), runif(1), sample(1:(k - 1), 1) / k,
              seq(0, 1, 0.1)[sample(1:11, 1)], sample(c(0, 1, 0.5, 0.05, 0.95, 0.25, 0.75), 1))
  cat("q", n, g(p), g(x), g(quantile(x, p, type = 7, names = FALSE)), "\n")
}
for (i in 1:600) {
  t <- rnorm(1) * 10^runif(1, -3, 2.5)
  df <- sample(c(1:30, round(10^runif(1, 1.5, 6.5))), 1)
  cat("t", g(t), df, g(2 * pt(abs(t), df, lower.tail = FALSE)), "\n")
}
for (i in 1:600) {
  z <- rnorm(1) * 10^runif(1, -3, 1.6)
  cat("z", g(z), g(2 * pnorm(-abs(z))), "\n")
}
