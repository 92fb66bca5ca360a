# Reference predictions for the pr-score cases: R's predict() on the models
# pr-train fits to train-shop.csv, for the offers in score-offers.csv.
# Run in testdata/: Rscript score-ref.R (the outputs are stored; CI does not need R).
d <- read.csv("train-shop.csv", stringsAsFactors = TRUE)
o <- read.csv("score-offers.csv", stringsAsFactors = FALSE)
f17 <- function(x) sprintf("%.17g", x)
tight <- glm.control(epsilon = 1e-14, maxit = 100)
# pr-train runs with --tol 1e-14 --max-iter 100 (this control); the
# covariance is summary.glm's, vcov(fit), as pr-train stores it.
emit <- function(cols, file) {
  writeLines(c(paste(names(cols), collapse = ","),
               do.call(paste, c(cols, sep = ","))), file)
}
base <- list(id = o$id, item = o$item, segment = o$segment, price = o$price,
             list_price = o$list_price, loyalty = o$loyalty)

# Logistic: bought ~ log(price) * segment + loyalty, with --se --interval 0.9 --elasticity
fit <- glm(bought ~ log(price) * segment + loyalty, binomial, d, control = tight)
X <- model.matrix(delete.response(terms(fit)), o, xlev = fit$xlevels)
b <- coef(fit)
eta <- drop(X %*% b)
se_eta <- sqrt(rowSums((X %*% vcov(fit)) * X))
p <- plogis(eta)
q <- qnorm(0.95)
deta_dlogp <- b["log(price)"] + (o$segment == "plus") * b["log(price):segmentplus"] +
  (o$segment == "vip") * b["log(price):segmentvip"]
emit(c(base, list(p_buy = f17(p), p_buy_se = f17(p * (1 - p) * se_eta),
                  p_buy_lower = f17(plogis(eta - q * se_eta)), p_buy_upper = f17(plogis(eta + q * se_eta)),
                  elasticity = f17((1 - p) * deta_dlogp))), "score-ref-logistic.csv")

# Linear model of log(revenue): E[y] = exp(eta + sigma^2 / 2), t interval at 0.95
fit <- lm(log(revenue) ~ price + segment + loyalty, d)
pr <- predict(fit, o, se.fit = TRUE)
s2 <- summary(fit)$sigma^2
qt95 <- qt(0.975, fit$df.residual)
m <- exp(pr$fit + s2 / 2)
emit(c(base, list(pred = f17(m), pred_se = f17(m * pr$se.fit),
                  pred_lower = f17(exp(pr$fit - qt95 * pr$se.fit + s2 / 2)),
                  pred_upper = f17(exp(pr$fit + qt95 * pr$se.fit + s2 / 2)),
                  elasticity = f17(o$price * coef(fit)["price"]))), "score-ref-loglinear.csv")

# Poisson: qty ~ price + I(price/list_price) + segment:price, elasticity only, named qty_hat
fit <- glm(qty ~ price + I(price/list_price) + segment:price, poisson, d, control = tight)
mu <- predict(fit, o, type = "response")
b <- coef(fit)
cf <- function(n) if (n %in% names(b)) b[[n]] else 0   # basic is the reference level
dlog <- o$price * (cf("price") + cf("I(price/list_price)") / o$list_price +
  (o$segment == "basic") * cf("price:segmentbasic") + (o$segment == "plus") * cf("price:segmentplus") +
  (o$segment == "vip") * cf("price:segmentvip"))
emit(c(base, list(qty_hat = f17(mu), elasticity = f17(dlog))), "score-ref-poisson.csv")
