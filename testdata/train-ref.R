# Reference coefficient tables for the pr-train accuracy cases, computed by
# R's lm/glm on train-shop.csv.  Run in testdata/: Rscript train-ref.R
# Each output: term,estimate,std_error,statistic,p_value, 17 significant digits.
d <- read.csv("train-shop.csv", stringsAsFactors = TRUE)
# GLMs as summary.glm reports them: pr-train follows glm.fit step by step
# (estimates of the last IRLS solve, covariance from its QR), so its
# default run equals R's default glm() (the *-default tables) and its run
# with --tol 1e-14 --max-iter 100 equals glm with the tight control below.
out <- function(fit, file) {
  s <- coef(summary(fit))
  all <- names(coef(fit))
  f17 <- function(x) ifelse(is.na(x), "", sprintf("%.17g", x))
  tab <- matrix(NA, length(all), 4, dimnames = list(all, NULL))
  tab[rownames(s), ] <- s
  terms <- ifelse(grepl(",", all), paste0('"', all, '"'), all)   # CSV quoting
  lines <- c("term,estimate,std_error,statistic,p_value",
             paste(terms, f17(tab[, 1]), f17(tab[, 2]), f17(tab[, 3]), f17(tab[, 4]), sep = ","))
  writeLines(lines, file)
}
tight <- glm.control(epsilon = 1e-14, maxit = 100)   # converged fully
out(lm(revenue ~ price + loyalty + segment, d), "train-ref-linear.csv")
out(glm(bought ~ log(price) * segment + loyalty, binomial, d, control = tight), "train-ref-logistic.csv")
out(glm(qty ~ price + I(price/list_price) + poly(loyalty, 2, raw = TRUE) + segment:price, poisson, d, control = tight),
    "train-ref-poisson.csv")
out(glm(bought ~ log(price) * segment + loyalty, binomial, d), "train-ref-logistic-default.csv")
out(glm(qty ~ price + I(price/list_price) + poly(loyalty, 2, raw = TRUE) + segment:price, poisson, d),
    "train-ref-poisson-default.csv")
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
