# clean-stats.R - reference statistics of clean-stats.csv for the pr-clean
# cases clean-stats-*: R's type 7 quantiles (its default), mean and median,
# printed with 17 significant digits.  Run: Rscript clean-stats.R > clean-stats-R.txt
d <- read.csv("clean-stats.csv", na.strings = c("NA", ""))
x <- d$x[!is.na(d$x)]
n <- d$n[!is.na(d$n)]
q <- quantile(x, c(0.1, 0.9), type = 7, names = FALSE)
w <- pmin(pmax(x, q[1]), q[2])
p17 <- function(name, v) cat(name, sprintf("%.17g", v), "\n")
p17("x_q10", q[1]); p17("x_q90", q[2])
p17("x_mean", mean(x)); p17("x_median", median(x))
p17("x_winsorized_mean", mean(w)); p17("x_winsorized_median", median(w))
qn <- quantile(n, c(0.25, 0.75), type = 7, names = FALSE)
p17("n_q25", qn[1]); p17("n_q75", qn[2])
p17("n_mean", mean(n)); p17("n_median", median(n))
t <- table(d$seg[!is.na(d$seg)]); cat("seg_counts", paste(names(t), t, sep = "=", collapse = " "), "\n")
tn <- table(n); cat("n_counts", paste(names(tn), tn, sep = "=", collapse = " "), "\n")
