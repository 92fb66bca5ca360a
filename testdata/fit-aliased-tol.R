# fit-aliased-tol.R - reference for test_fit.c: aliasing does not depend on
# the IRLS tolerance.  Poisson breaks ~ wool:tension on R's warpbreaks
# (written to fit-warpbreaks.csv; read back, so the levels are sorted as
# pr-train sorts them): the interaction columns and the intercept are
# collinear and R's default glm gives woolB:tensionM NA.  R's glm with
# glm.control(epsilon = 1e-14) ties its rank tolerance to epsilon
# (min(1e-7, epsilon / 1000)) and then aliases nothing (estimates of 1e13),
# so the converged reference is glm.fit on the design without the aliased
# column.  Run in testdata/:  Rscript fit-aliased-tol.R > fit-aliased-tol.txt
write.csv(warpbreaks, "fit-warpbreaks.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("fit-warpbreaks.csv", stringsAsFactors = TRUE)
put <- function(name, x) cat(sprintf("%s.%d %.17g\n", name, seq_along(x), as.numeric(x)), sep = "")
f <- glm(breaks ~ wool:tension, family = poisson, data = d)
cat(sprintf("warp.aliased.1 %d\n", which(is.na(coef(f)))))
X <- model.matrix(f)[, !is.na(coef(f))]
g <- glm.fit(X, d$breaks, family = poisson(), control = glm.control(epsilon = 1e-14, maxit = 100))
s <- summary.glm(structure(g, class = c("glm", "lm")))
put("warp.coef", coef(g))
put("warp.se", s$coefficients[, 2])
