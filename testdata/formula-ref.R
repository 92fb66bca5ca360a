# Reference tables for the formula-language cases: R's lm/glm and predict()
# on R's own data sets, written out as CSV.  Run in testdata/:
#   Rscript formula-ref.R
# It writes the data (formula-mtcars.csv, formula-mtcars-new.csv) and the
# tables (formula-ref-*.csv); the outputs are stored, CI does not need R.
# Each coefficient table: term,estimate,std_error,statistic,p_value with 17
# significant digits, as pr-train writes it.
f17 <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
q <- function(s) ifelse(grepl("[,\"]", s), paste0('"', gsub('"', '""', s), '"'), s)
coefs <- function(fit, file) {
  s <- coef(summary(fit))
  all <- names(coef(fit))
  tab <- matrix(NA, length(all), 4, dimnames = list(all, NULL))
  tab[rownames(s), ] <- s
  writeLines(c("term,estimate,std_error,statistic,p_value",
               paste(q(all), f17(tab[, 1]), f17(tab[, 2]), f17(tab[, 3]), f17(tab[, 4]), sep = ",")),
             file)
}
emit <- function(cols, file)
  writeLines(c(paste(names(cols), collapse = ","), do.call(paste, c(cols, sep = ","))), file)
tight <- glm.control(epsilon = 1e-14, maxit = 100)   # pr-train --tol 1e-14 --max-iter 100

# mtcars, the car's name as a column; and new cars to score: some at the
# kinks (hp = 150, wt = 3, qsec = 18), some beyond the data's range.
d <- data.frame(model = rownames(mtcars), mtcars, row.names = NULL)
write.csv(d, "formula-mtcars.csv", row.names = FALSE, quote = FALSE)
new <- data.frame(id = 1:6,
                  hp = c(150, 120, 200, 150, 40, 400), wt = c(3, 2.5, 3.5, 2.9, 1.2, 6),
                  qsec = c(18, 17, 19, 18.5, 15, 23), disp = c(200, 150, 300, 160, 60, 500),
                  drat = c(3.5, 4, 3, 3.9, 5, 2.6), carb = c(2, 1, 4, 2, 1, 8),
                  cyl = c(6, 4, 8, 6, 4, 8), am = c(1, 0, 0, 1, 1, 0))
write.csv(new, "formula-mtcars-new.csv", row.names = FALSE, quote = FALSE)

# pmax, pmin, abs, log1p, log10, log(x, base)
fit <- lm(mpg ~ pmax(hp, 150) + pmin(wt, 3) + abs(qsec - 18) + log1p(disp) + log10(drat) + log(carb, 2), d)
coefs(fit, "formula-ref-fun.csv")
# predictions, and the elasticity in hp (the price) at each new car: the
# slope of pmax(hp, 150) is 1 above 150 and 0 below; at 150, the slope
# above (the right-hand derivative)
mu <- predict(fit, new)
dmu <- coef(fit)[["pmax(hp, 150)"]] * (new$hp >= 150)
emit(c(as.list(new), list(pred = f17(mu), elasticity = f17(new$hp * dmu / mu))), "formula-ref-fun-score.csv")

# comparisons (a logical, coded FALSE/TRUE), ifelse, factor() of a number
fit <- lm(mpg ~ factor(cyl) * wt + I(hp > 150) + ifelse(am == 1, wt, 0), d)
coefs(fit, "formula-ref-cmp.csv")
emit(c(as.list(new), list(pred = f17(predict(fit, new)))), "formula-ref-cmp-score.csv")

# a Poisson model with a hinge and a step
fit <- glm(carb ~ pmax(hp - 120, 0) + I(wt > 3) + log(disp, 10), poisson, d, control = tight)
coefs(fit, "formula-ref-pois.csv")

# Splines and orthogonal polynomials on MASS::Boston: knots and
# coefficients learned from the data as R learns them; predictions with
# their standard errors on new rows, some beyond the training range (ns
# is linear there, bs its end polynomials, as predict() extends them).
library(splines)
b <- MASS::Boston
b$hi <- as.integer(b$medv > 25)
write.csv(b, "formula-boston.csv", row.names = FALSE, quote = FALSE)
bnew <- data.frame(id = 1:7, lstat = c(1, 1.73, 5, 11.36, 20, 37.97, 45),
                   rm = c(3.2, 3.561, 5.5, 6.2, 7.1, 8.78, 9.5),
                   dis = c(1, 1.1296, 2.5, 3.2, 6, 12.1265, 14),
                   crim = c(0.005, 0.5, 1, 3, 10, 88.9762, 100))
write.csv(bnew, "formula-boston-new.csv", row.names = FALSE, quote = FALSE)
fit <- lm(medv ~ ns(lstat, df = 4) + bs(rm, df = 5) + poly(dis, 3) + pmax(crim, 1), b)
coefs(fit, "formula-ref-boston.csv")
pr <- predict(fit, bnew, se.fit = TRUE)
emit(c(as.list(bnew), list(pred = f17(pr$fit), pred_se = f17(pr$se.fit))), "formula-ref-boston-score.csv")
fit <- glm(hi ~ ns(lstat, knots = c(5, 10, 15)) + poly(rm, 2) + bs(dis, degree = 2, df = 4), binomial, b,
           control = tight)
coefs(fit, "formula-ref-boston-logit.csv")
emit(c(as.list(bnew), list(p_buy = f17(predict(fit, bnew, type = "response")))), "formula-ref-boston-logit-score.csv")

# the price in a spline: cars' speed as the price, the elasticity by a
# central difference of predict() (h = 1e-6, good to 1e-8 here)
fit <- lm(dist ~ ns(speed, df = 4), cars)
write.csv(cars, "formula-cars.csv", row.names = FALSE, quote = FALSE)
cnew <- data.frame(speed = c(2, 4, 9.5, 13, 18, 25, 30))
mu <- predict(fit, cnew)
h <- 1e-6
dmu <- (predict(fit, data.frame(speed = cnew$speed + h)) - predict(fit, data.frame(speed = cnew$speed - h))) / (2 * h)
write.csv(cnew, "formula-cars-new.csv", row.names = FALSE, quote = FALSE)
emit(c(as.list(cnew), list(pred = f17(mu), elasticity = f17(cnew$speed * dmu / mu))), "formula-ref-cars-score.csv")
