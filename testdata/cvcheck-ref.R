# Run in testdata/: Rscript cvcheck-ref.R (R 4.x; outputs are stored, CI does not need R).
# Writes cvcheck-data.csv (40 rows) and cvcheck-ref.txt: the leave-one-out
# validation measures of pr-train --folds 40, computed here independently.
# Each measure pools the 40 out-of-fold predictions (one per left-out row):
#   linear:   RMSE = sqrt(mean(e^2)), MAE = mean(|e|), R2 = 1 - SSE / sum((y - mean(y))^2)
#   logistic: log loss = -mean(y log p + (1-y) log(1-p)), p clipped to [1e-15, 1-1e-15];
#             AUC = P(p_pos > p_neg) + P(tie) / 2 over all positive/negative pairs;
#             Brier = mean((p - y)^2); accuracy = mean((p >= 0.5) == y)
#   poisson:  deviance = 2 sum(y log(y / mu) - (y - mu)) (0 log 0 = 0), and deviance / n
set.seed(20260417)
n <- 40
segment <- rep(c("basic", "plus", "vip"), length.out = n)[sample(n)]
price <- round(runif(n, 5, 30), 2)
eff <- ifelse(segment == "vip", 0.7, ifelse(segment == "plus", 0.3, 0))
revenue <- round(40 - 0.9 * price + 5 * eff + rnorm(n, 0, 4), 3)
bought <- rbinom(n, 1, plogis(1.8 - 0.1 * price + eff))
qty <- rpois(n, exp(1.6 - 0.05 * price + eff))
write.csv(data.frame(segment, price, bought, qty, revenue), "cvcheck-data.csv",
  row.names = FALSE, quote = FALSE)

d <- read.csv("cvcheck-data.csv")   # fit the values exactly as stored
d$segment <- factor(d$segment)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
loo <- function(fit1) {
  vapply(seq_len(nrow(d)), function(i) {
    m <- fit1(d[-i, ])
    unname(predict(m, newdata = d[i, , drop = FALSE], type = "response"))
  }, 0)
}
out <- character(0)
put <- function(family, metric, value)
  out <<- c(out, sprintf("%s,%s,%.17g", family, metric, value))

p <- loo(function(t) lm(revenue ~ price + segment, data = t))
e <- d$revenue - p
put("linear", "rmse", sqrt(mean(e^2)))
put("linear", "mae", mean(abs(e)))
put("linear", "r2", 1 - sum(e^2) / sum((d$revenue - mean(d$revenue))^2))

p <- loo(function(t) glm(bought ~ price + segment, family = binomial, data = t, control = ctl))
y <- d$bought
pc <- pmin(pmax(p, 1e-15), 1 - 1e-15)
put("logistic", "log_loss", -mean(y * log(pc) + (1 - y) * log(1 - pc)))
pp <- p[y == 1]; pn <- p[y == 0]
put("logistic", "auc", mean(outer(pp, pn, ">")) + mean(outer(pp, pn, "==")) / 2)
put("logistic", "brier", mean((p - y)^2))
put("logistic", "accuracy", mean((p >= 0.5) == (y == 1)))

mu <- loo(function(t) glm(qty ~ price + segment, family = poisson, data = t, control = ctl))
y <- d$qty
dev <- 2 * sum(ifelse(y > 0, y * log(y / mu), 0) - (y - mu))
put("poisson", "deviance", dev)
put("poisson", "mean_deviance", dev / nrow(d))

writeLines(c("family,metric,value", out), "cvcheck-ref.txt")
