# pvalue-ref.R - reference values for the distribution functions of
# common/stats and common/betainc (tests/unit/test_pvalue.c), from R 4.2:
#   t T DF P     P = 2 * pt(-abs(T), DF), the two-sided p-value of summary.lm
#   z Z P        P = 2 * pnorm(-abs(Z)), that of summary.glm
#   b X A B P Q  P = pbeta(X, A, B), Q = pbeta(X, A, B, lower.tail = FALSE)
#   l X A B P Q  the same on the log scale (log.p = TRUE)
# every number a C99 hex float (%a), so each reads back to the same double.
# |t| spans 1e-8 to 1e300 (past the underflow of the p-value to 0), df
# whole and fractional from 0.3 to 1e7; the pbeta lines visit every branch
# of the incomplete beta (small and large a and b, x near 0 and near 1).
# Run in testdata/:  Rscript pvalue-ref.R > pvalue-ref.txt
set.seed(20261201)
h <- function(v) sprintf("%a", v)
t_line <- function(t, df) cat("t", h(t), h(df), h(2 * pt(-abs(t), df)), "\n")
ts <- function(n) {
  t <- sample(c(-1, 1), n, TRUE) * 10^runif(n, -8, 2.5)
  far <- runif(n) < 0.08
  t[far] <- 10^runif(sum(far), 2.5, 300)
  t
}
dfs <- function(n) {
  k <- sample(1:6, n, TRUE)
  ifelse(k == 1, sample(1:30, n, TRUE),
  ifelse(k == 2, round(10^runif(n, 1.5, 7)),
  ifelse(k == 3, 10^runif(n, 0, 7),
  ifelse(k == 4, runif(n, 1, 40),
  ifelse(k == 5, sample(c(1, 2, 3, 4, 5, 10, 20, 30, 39, 40, 41, 100, 1000,
                          4e5, 1e6, 1e7), n, TRUE),
                 runif(n, 0.3, 1))))))
}
n <- 4000
t <- ts(n); df <- dfs(n)
for (i in seq_len(n)) t_line(t[i], df[i])
# the ends: 0, tiny and huge t, t = Inf, df = Inf, p-values that underflow
for (df in c(1, 2, 3, 7.5, 30, 1e3, 4e5, 1e7, Inf))
  for (t in c(0, 1e-300, 1e-20, 0.5, 1, 2, 40, 1e10, 1e20, 1e50, 1e100, 1e155,
              1e160, 1e200, 1e308, Inf))
    t_line(t, df)
z <- c(0, 1e-300, 1e-17, 1e-9, 0.1, 0.5, 0.67448975, 0.6744898, 1, 1.959963984540054,
       3, 5.656854, 5.6568543, 6, 8.2924, 10, 20, 37.5, 37.52, 38, 40, 1e10, Inf,
       sample(c(-1, 1), 1500, TRUE) * 10^runif(1500, -3, 1.6))
for (v in z) cat("z", h(v), h(2 * pnorm(-abs(v))), "\n")
b_line <- function(x, a, b)
  cat("b", h(x), h(a), h(b), h(pbeta(x, a, b)), h(pbeta(x, a, b, lower.tail = FALSE)), "\n")
ab <- function(n) {
  k <- sample(1:4, n, TRUE)
  ifelse(k == 1, 10^runif(n, -20, 0),
  ifelse(k == 2, runif(n, 0, 2),
  ifelse(k == 3, runif(n, 1, 60), 10^runif(n, 1, 6))))
}
m <- 3000
a <- ab(m); b <- ab(m)
x <- ifelse(runif(m) < 0.5, runif(m), 10^runif(m, -30, 0))
x <- ifelse(runif(m) < 0.2, 1 - x, x)
for (i in seq_len(m)) b_line(x[i], a[i], b[i])
l_line <- function(x, a, b)
  cat("l", h(x), h(a), h(b), h(pbeta(x, a, b, log.p = TRUE)),
      h(pbeta(x, a, b, lower.tail = FALSE, log.p = TRUE)), "\n")
a <- ab(m); b <- ab(m)
x <- ifelse(runif(m) < 0.5, runif(m), 10^runif(m, -300, 0))
x <- ifelse(runif(m) < 0.2, 1 - x, x)
for (i in seq_len(m)) l_line(x[i], a[i], b[i])
