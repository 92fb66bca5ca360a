# Run in testdata/: Rscript cvcheck-ref.R (R 4.x; outputs are stored, CI does not need R).
# Writes cvcheck-data.csv (40 rows) and cvcheck-ref.txt: the 5-fold
# cross-validation measures of pr-train --folds 5, computed here
# independently, on the folds of cvcheck-folds.csv (written by fold-ref.py,
# an implementation of pr-train's split of its own; run it after this
# script has written the data, then this script again).
# Each measure pools the 40 out-of-fold predictions (each row predicted by
# the model fitted without its fold):
#   linear:   RMSE = sqrt(mean(e^2)), MAE = mean(|e|), R2 = 1 - SSE / sum((y - mean(y))^2)
#   logistic: log loss = -mean(y log p + (1-y) log(1-p)), p clipped to [1e-15, 1-1e-15];
#             AUC = P(p_pos > p_neg) + P(tie) / 2 over all positive/negative pairs;
#             Brier = mean((p - y)^2); accuracy = mean((p >= 0.5) == y)
#   poisson:  deviance = 2 sum(y log(y / mu) - (y - mu)) (0 log 0 = 0), and deviance / n
# and those of --holdout 0.3 for the linear model (the held-out rows only).
set.seed(20260417)
n <- 40
segment <- rep(c("basic", "plus", "vip"), length.out = n)[sample(n)]
price <- round(runif(n, 5, 30), 2)
eff <- ifelse(segment == "vip", 0.7, ifelse(segment == "plus", 0.3, 0))
revenue <- round(40 - 0.9 * price + 5 * eff + rnorm(n, 0, 4), 3)
bought <- rbinom(n, 1, plogis(1.8 - 0.1 * price + eff))
qty <- rpois(n, exp(1.6 - 0.05 * price + eff))
if (!file.exists("cvcheck-data.csv"))
  write.csv(data.frame(segment, price, bought, qty, revenue), "cvcheck-data.csv",
    row.names = FALSE, quote = FALSE)
folds <- read.csv("cvcheck-folds.csv")

d <- read.csv("cvcheck-data.csv")   # fit the values exactly as stored
d$segment <- factor(d$segment)
ctl <- glm.control(epsilon = 1e-14, maxit = 100)
kfold <- function(fit1, fold) {
  p <- numeric(nrow(d))
  for (k in unique(fold)) {
    m <- fit1(d[fold != k, ])
    p[fold == k] <- unname(predict(m, newdata = d[fold == k, , drop = FALSE], type = "response"))
  }
  p
}
out <- character(0)
put <- function(family, metric, value)
  out <<- c(out, sprintf("%s,%s,%.17g", family, metric, value))

p <- kfold(function(t) lm(revenue ~ price + segment, data = t), folds$linear)
e <- d$revenue - p
put("linear", "rmse", sqrt(mean(e^2)))
put("linear", "mae", mean(abs(e)))
put("linear", "r2", 1 - sum(e^2) / sum((d$revenue - mean(d$revenue))^2))

p <- kfold(function(t) glm(bought ~ price + segment, family = binomial, data = t, control = ctl),
  folds$logistic)
y <- d$bought
pc <- pmin(pmax(p, 1e-15), 1 - 1e-15)
put("logistic", "log_loss", -mean(y * log(pc) + (1 - y) * log(1 - pc)))
pp <- p[y == 1]; pn <- p[y == 0]
put("logistic", "auc", mean(outer(pp, pn, ">")) + mean(outer(pp, pn, "==")) / 2)
put("logistic", "brier", mean((p - y)^2))
put("logistic", "accuracy", mean((p >= 0.5) == (y == 1)))

mu <- kfold(function(t) glm(qty ~ price + segment, family = poisson, data = t, control = ctl),
  folds$poisson)
y <- d$qty
dev <- 2 * sum(ifelse(y > 0, y * log(y / mu), 0) - (y - mu))
put("poisson", "deviance", dev)
put("poisson", "mean_deviance", dev / nrow(d))

# --holdout 0.3 --seed 1: the model fitted on the other rows, measured on the held-out ones
h <- folds$holdout == 1
m <- lm(revenue ~ price + segment, data = d[!h, ])
e <- d$revenue[h] - unname(predict(m, newdata = d[h, , drop = FALSE]))
put("holdout", "rmse", sqrt(mean(e^2)))
put("holdout", "mae", mean(abs(e)))
put("holdout", "r2", 1 - sum(e^2) / sum((d$revenue[h] - mean(d$revenue[h]))^2))

writeLines(c("family,metric,value", out), "cvcheck-ref.txt")
