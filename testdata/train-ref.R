# Reference coefficient tables for the pr-train accuracy cases, computed by
# R's lm/glm on train-shop.csv.  Run in testdata/: Rscript train-ref.R
# Each output: term,estimate,std_error,statistic,p_value, 17 significant digits.
d <- read.csv("train-shop.csv", stringsAsFactors = TRUE)
# GLM standard errors are taken at the maximum-likelihood estimates (the
# working weights of the fitted means), as pr-train reports them.  R's
# summary.glm takes them from the QR of the last IRLS iteration, whose
# weights come from the iterate before: that moves the 6th to 9th digit.
mle_table <- function(fit) {
  b <- coef(fit)
  ok <- !is.na(b)
  X <- model.matrix(fit)[, ok, drop = FALSE]
  fam <- family(fit)
  w <- fit$prior.weights * fam$mu.eta(fit$linear.predictors)^2 / fam$variance(fitted(fit))
  R <- qr.R(qr(sqrt(w) * X))
  se <- sqrt(diag(chol2inv(R)))
  z <- b[ok] / se
  cbind(b[ok], se, z, 2 * pnorm(-abs(z)))
}
out <- function(fit, file) {
  s <- if (inherits(fit, "glm")) mle_table(fit) else coef(summary(fit))
  all <- names(coef(fit))
  f17 <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
  tab <- matrix(NA, length(all), 4, dimnames = list(all, NULL))
  tab[rownames(s), ] <- s
  terms <- gsub(", raw = TRUE", "", all, fixed = TRUE)
  terms <- ifelse(grepl(",", terms), paste0('"', terms, '"'), terms)   # CSV quoting
  lines <- c("term,estimate,std_error,statistic,p_value",
             paste(terms, f17(tab[, 1]), f17(tab[, 2]), f17(tab[, 3]), f17(tab[, 4]), sep = ","))
  writeLines(lines, file)
}
tight <- glm.control(epsilon = 1e-14, maxit = 100)   # converged fully
out(lm(revenue ~ price + loyalty + segment, d), "train-ref-linear.csv")
out(glm(bought ~ log(price) * segment + loyalty, binomial, d, control = tight), "train-ref-logistic.csv")
out(glm(qty ~ price + I(price/list_price) + poly(loyalty, 2, raw = TRUE) + segment:price, poisson, d, control = tight),
    "train-ref-poisson.csv")
out(lm(revenue ~ poly(price, 6, raw = TRUE), d), "train-ref-poly.csv")
d2 <- d
d2$segment <- relevel(d2$segment, ref = "vip")
out(glm(bought ~ price + segment, binomial, d2, control = tight), "train-ref-relevel.csv")
out(lm(revenue ~ price + segment, d, weights = list_price), "train-ref-weights.csv")
out(lm(revenue ~ segment + price - 1, d), "train-ref-noint.csv")
out(lm(revenue ~ price + I(2 * price) + loyalty, d), "train-ref-aliased.csv")
# --by item: the pooled model (empty group), then each item's own fit.
by <- function(fit) { s <- coef(summary(fit)); cbind(rownames(s), s) }
rows <- character(0)
for (g in c("", "A", "B")) {
  fit <- lm(revenue ~ price + segment, if (g == "") d else d[d$item == g, ])
  s <- coef(summary(fit))
  rows <- c(rows, paste(g, rownames(s), sprintf("%.17g", s[, 1]), sprintf("%.17g", s[, 2]),
                        sprintf("%.17g", s[, 3]), sprintf("%.17g", s[, 4]), sep = ","))
}
writeLines(c("group,term,estimate,std_error,statistic,p_value", rows), "train-ref-by.csv")
