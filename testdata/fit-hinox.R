# fit-hinox.R - reference for test_fit.c: a logistic fit with one fitted
# probability of 2e-16 that is not separated.  MASS::Boston, hinox = nox >
# 0.6, hinox ~ dis: R's default glm converges in 8 iterations; the row with
# the largest dis has eta below -30 (R's logit clamp) but the maximum of
# the likelihood exists.  Run in testdata/:
#   Rscript fit-hinox.R > fit-hinox.txt
library(MASS)
d <- data.frame(hinox = as.integer(Boston$nox > 0.6), dis = Boston$dis)
write.csv(d, "fit-hinox.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("fit-hinox.csv")
put <- function(name, x) cat(sprintf("%s.%d %.17g\n", name, seq_along(x), as.numeric(x)), sep = "")
g <- glm(hinox ~ dis, family = binomial, data = d)
put("hinox.iter", g$iter)
put("hinox.minfitted", min(fitted(g)))
put("hinox.coef", coef(g))
put("hinox.se", summary(g)$coefficients[, 2])
put("hinox.deviance", deviance(g))
