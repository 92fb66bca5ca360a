# report-metrics.R - reference values for pr-report's model-quality figures,
# computed independently in R from report-scored.csv.
# Run in testdata/:  Rscript report-metrics.R > report-metrics-ref.csv
# Output: name,value (name is a metric, or TABLE.DECILE.COLUMN).
d <- read.csv("report-scored.csv")
p <- d$p_buy
y <- d$bought
n1 <- sum(y == 1); n0 <- sum(y == 0)
# AUC as the Mann-Whitney statistic from mid-ranks (ties count one half).
r <- rank(p, ties.method = "average")
auc <- (sum(r[y == 1]) - n1 * (n1 + 1) / 2) / (n1 * n0)
q <- pmin(pmax(p, 1e-15), 1 - 1e-15)
logloss <- -mean(y * log(q) + (1 - y) * log(1 - q))
brier <- mean((p - y)^2)
# Decile breaks: type-7 quantiles; bin k holds q[k] < p <= q[k+1], the first also q[1].
br <- quantile(p, probs = seq(0, 1, 0.1), type = 7, names = FALSE)
bin <- sapply(p, function(v) min(which(v <= br[-1])))
out <- data.frame(name = c("auc", "log_loss", "brier"), value = c(auc, logloss, brier))
for (k in 0:10) out <- rbind(out, data.frame(name = sprintf("break.%d", k), value = br[k + 1]))
base <- mean(y)
cn <- 0; cp <- 0
for (k in 10:1) {
  s <- bin == k
  if (!any(s)) next
  cn <- cn + sum(s); cp <- cp + sum(y[s])
  out <- rbind(out, data.frame(
    name = sprintf(c("calibration.%d.rows", "calibration.%d.mean_pred", "calibration.%d.observed",
                     "lift.%d.lift", "lift.%d.cum_positives_share", "lift.%d.cum_lift"), k),
    value = c(sum(s), mean(p[s]), mean(y[s]), mean(y[s]) / base, cp / sum(y), cp / cn / base)))
}
cat("name,value\n", sprintf("%s,%.17g\n", out$name, out$value), sep = "")
