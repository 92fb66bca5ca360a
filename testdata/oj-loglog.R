# oj-loglog.R - references for the cases of a response that is a log
# already: a small fixture shaped like Dominick's orange juice data
# (logmove = log(units sold), price, feat, store), written to oj-loglog.csv,
# and R's lm(logmove ~ log(price) + feat + store) on it: the coefficient
# table (oj-loglog-coef.csv, as summary(lm) gives it) and the demand on the
# original scale for every row under each retransformation of exp(eta):
#   naive     exp(predict(lm))                         oj-loglog-naive.csv
#   normal    exp(predict(lm) + sigma^2 / 2), with the delta-method
#             standard error and a 0.9 t interval      oj-loglog-normal.csv
#   smearing  exp(predict(lm)) * mean(exp(resid(lm)))  oj-loglog-smearing.csv,
#             and by store, a model and a factor each  oj-loglog-by-smearing.csv
# with the elasticity d log E[q] / d log price, the coefficient of
# log(price) whatever the factor.
# Run in testdata/: Rscript oj-loglog.R (the outputs are stored; CI does not need R).
set.seed(20261201)
n <- 40
store <- rep(c("s2", "s5"), each = n / 2)
price <- round(runif(n, 1.49, 3.99), 2)
feat <- rbinom(n, 1, 0.3)
logmove <- round(9.5 - 2.6 * log(price) + 0.8 * feat + 0.3 * (store == "s5") +
  rnorm(n, 0, 0.4), 6)
write.csv(data.frame(store, price, feat, logmove), "oj-loglog.csv", row.names = FALSE,
  quote = FALSE)
d <- read.csv("oj-loglog.csv", stringsAsFactors = TRUE)
f17 <- function(x) sprintf("%.17g", x)
emit <- function(cols, file) {
  writeLines(c(paste(names(cols), collapse = ","),
               do.call(paste, c(cols, sep = ","))), file)
}
fit <- lm(logmove ~ log(price) + feat + store, d)
co <- summary(fit)$coefficients
emit(list(term = rownames(co), estimate = f17(co[, 1]), std_error = f17(co[, 2]),
          statistic = f17(co[, 3]), p_value = f17(co[, 4])), "oj-loglog-coef.csv")
base <- list(store = d$store, price = d$price, feat = d$feat, logmove = d$logmove)
pr <- predict(fit, d, se.fit = TRUE)
el <- rep(f17(coef(fit)[["log(price)"]]), n)
s2 <- summary(fit)$sigma^2
q90 <- qt(0.95, fit$df.residual)
m <- exp(pr$fit + s2 / 2)
emit(c(base, list(pred = f17(m), pred_se = f17(m * pr$se.fit),
                  pred_lower = f17(exp(pr$fit - q90 * pr$se.fit + s2 / 2)),
                  pred_upper = f17(exp(pr$fit + q90 * pr$se.fit + s2 / 2)),
                  elasticity = el)), "oj-loglog-normal.csv")
emit(c(base, list(pred = f17(exp(pr$fit)), elasticity = el)), "oj-loglog-naive.csv")
smear <- mean(exp(resid(fit)))
emit(c(base, list(pred = f17(exp(pr$fit) * smear), elasticity = el)), "oj-loglog-smearing.csv")
# one model per store (pr-train --by store), each with its own smearing factor
pred <- numeric(n)
for (s in levels(d$store)) {
  k <- d$store == s
  g <- lm(logmove ~ log(price) + feat, d[k, ])
  pred[k] <- exp(fitted(g)) * mean(exp(resid(g)))
}
emit(c(base, list(pred = f17(pred))), "oj-loglog-by-smearing.csv")
