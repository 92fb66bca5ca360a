# fit-ref-default.R - reference values for tests/unit/test_fit.c: R's glm
# with its DEFAULT control (glm.control(): epsilon = 1e-8, maxit = 25), as
# a user who types summary(glm(...)) sees it.  fit_model with its default
# tol and max_iter follows glm.fit step by step, so it must give these
# numbers to rounding, not merely to the 5-8 digits by which R's default
# stopping point differs from the fully converged fit (fit-ref.R).
# Reads the data sets written by fit-ref.R.  Run in testdata/:
#   Rscript fit-ref-default.R
# Writes fit-ref-default.txt: "name value" lines, value printed by %.17g.
out <- character(0)
put <- function(name, x) {
  x <- as.numeric(x)
  out <<- c(out, sprintf("%s.%d %.17g", name, seq_along(x), x))
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
  put(paste0(name, ".iter"), f$iter)
}
d <- read.csv("fit-logit.csv")
putglm("dlogit", glm(y ~ x1 + x2 + g, binomial, d))
putglm("dlogitw", glm(y ~ x1 + x2 + g, binomial, d, weights = w))
putglm("dlogit0", glm(y ~ 0 + x1 + x2, binomial, d))
d <- read.csv("fit-prop.csv")
d$y <- d$k / d$m
putglm("dprop", glm(y ~ x, binomial, d, weights = m))
d <- read.csv("fit-pois.csv")
putglm("dpois", glm(y ~ x + g, poisson, d))
putglm("dpoisw", glm(y ~ x + g, poisson, d, weights = w))
writeLines(out, "fit-ref-default.txt")
