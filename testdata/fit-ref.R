# fit-ref.R - reference values for tests/unit/test_fit.c, computed by R's
# lm and glm (and closed forms for the ridge fits).  Run in testdata/:
#   Rscript fit-ref.R
# It writes the data sets fit-lin.csv, fit-logit.csv, fit-prop.csv and
# fit-pois.csv (numbers rounded to 6 decimals, then read back, so R fits
# exactly the data the C test reads) and the reference file fit-ref.txt:
# one line per number, "name value" with value printed by %.17g.
out <- character(0)
put <- function(name, x) {
  x <- as.numeric(x)
  out <<- c(out, sprintf("%s.%d %.17g", name, seq_along(x), x))
}
# glm converged as far as the deviance can tell (epsilon 1e-14), with R's
# own summary.glm: the covariance from the QR of the last IRLS solve
# (working weights of the iterate before).  fit_model with tol = 1e-14 and
# max_iter = 100 follows the same steps.  (The defaults, epsilon 1e-8, are
# in fit-ref-default.R.)
glm2 <- function(formula, family, data, weights = NULL) {
  data$.w <- if (is.null(weights)) rep(1, nrow(data)) else weights
  ctl <- glm.control(epsilon = 1e-14, maxit = 100)
  glm(formula, family = family, data = data, weights = .w, control = ctl)
}
putglm <- function(name, f) {
  s <- summary(f)
  put(paste0(name, ".coef"), coef(f))
  put(paste0(name, ".se"), s$coefficients[, 2])
  put(paste0(name, ".deviance"), deviance(f))
  put(paste0(name, ".nulldev"), f$null.deviance)
  put(paste0(name, ".aic"), AIC(f))
  put(paste0(name, ".loglik"), logLik(f))
  put(paste0(name, ".dfres"), f$df.residual)
}
putlm <- function(name, f) {
  s <- summary(f)
  put(paste0(name, ".coef"), coef(f))           # NA for aliased
  se <- rep(NA, length(coef(f)))
  se[!is.na(coef(f))] <- s$coefficients[, 2]
  put(paste0(name, ".se"), se)
  put(paste0(name, ".r2"), s$r.squared)
  put(paste0(name, ".adjr2"), s$adj.r.squared)
  put(paste0(name, ".sigma"), s$sigma)
  put(paste0(name, ".loglik"), logLik(f))
  put(paste0(name, ".aic"), AIC(f))
  put(paste0(name, ".rss"), deviance(f))
}
r6 <- function(x) round(x, 6)
set.seed(20240301)

# Linear: numeric x1, x2, a factor g (3 levels, treatment-coded), weights w.
n <- 60
d <- data.frame(x1 = r6(rnorm(n)), x2 = r6(runif(n, 0, 10)),
                g = sample(c("b", "a", "c"), n, replace = TRUE),
                w = r6(runif(n, 0.5, 2)))
d$y <- r6(1 + 2 * d$x1 - 0.3 * d$x2 + c(a = 0, b = 1.5, c = -2)[d$g] + rnorm(n))
write.csv(d, "fit-lin.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("fit-lin.csv")
putlm("lin", lm(y ~ x1 + x2 + g, data = d))
putlm("linw", lm(y ~ x1 + x2 + g, data = d, weights = w))
putlm("lin0", lm(y ~ 0 + x1 + x2, data = d))
d$x3 <- d$x1 + d$x2
putlm("linal", lm(y ~ x1 + x2 + x3 + g, data = d))
# Ridge, closed form: (X'X + lambda D)^-1 X'y, D = I without the intercept.
X <- model.matrix(~ x1 + x2 + g, d)
lambda <- 2.5
D <- diag(c(0, rep(1, ncol(X) - 1)))
A <- crossprod(X) + lambda * D
b <- solve(A, crossprod(X, d$y))
rss <- sum((d$y - X %*% b)^2)
put("linridge.coef", b)
put("linridge.se", sqrt(diag(solve(A)) * rss / (n - ncol(X))))

# Logistic: binary y from a known model; integer weights for the weighted fit.
n <- 300
d <- data.frame(x1 = r6(rnorm(n)), x2 = r6(runif(n, -1, 1)),
                g = sample(c("lo", "hi", "mid"), n, replace = TRUE),
                w = sample(1:3, n, replace = TRUE))
eta <- -0.5 + 1.2 * d$x1 - 0.8 * d$x2 + c(hi = 0.7, lo = 0, mid = -0.4)[d$g]
d$y <- rbinom(n, 1, plogis(eta))
write.csv(d, "fit-logit.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("fit-logit.csv")
putglm("logit", glm2(y ~ x1 + x2 + g, binomial, d))
putglm("logitw", glm2(y ~ x1 + x2 + g, binomial, d, weights = d$w))
putglm("logit0", glm2(y ~ 0 + x1 + x2, binomial, d))
# Ridge logistic: Newton's method on deviance/2 + lambda/2 |b without intercept|^2.
X <- model.matrix(~ x1 + x2 + g, d)
D <- diag(c(0, rep(1, ncol(X) - 1)))
b <- rep(0, ncol(X))
for (it in 1:100) {
  p <- plogis(drop(X %*% b))
  g <- crossprod(X, d$y - p) - lambda * D %*% b
  H <- crossprod(X * (p * (1 - p)), X) + lambda * D
  step <- solve(H, g)
  b <- b + step
  if (max(abs(step)) < 1e-15) break
}
p <- plogis(drop(X %*% b))
H <- crossprod(X * (p * (1 - p)), X) + lambda * D
put("logitridge.coef", b)
put("logitridge.se", sqrt(diag(solve(H))))

# Proportions: y = successes / trials with weights = trials.
n <- 40
d <- data.frame(x = r6(runif(n, -2, 2)), m = sample(1:20, n, replace = TRUE))
d$k <- rbinom(n, d$m, plogis(0.3 + 0.9 * d$x))
d$y <- d$k / d$m
write.csv(d[, c("x", "m", "k")], "fit-prop.csv", row.names = FALSE, quote = FALSE)
putglm("prop", glm2(y ~ x, binomial, d, weights = d$m))

# Poisson: counts on x and a factor, unweighted and weighted.
n <- 200
d <- data.frame(x = r6(runif(n, 0, 2)), g = sample(c("u", "v"), n, replace = TRUE),
                w = r6(runif(n, 0.5, 1.5)))
d$y <- rpois(n, exp(0.5 + 0.7 * d$x + ifelse(d$g == "v", -0.6, 0)))
write.csv(d, "fit-pois.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("fit-pois.csv")
putglm("pois", glm2(y ~ x + g, poisson, d))
putglm("poisw", glm2(y ~ x + g, poisson, d, weights = d$w))

writeLines(out, "fit-ref.txt")
