# train-shrink.R - reference for the pr-train --by --shrink cases, computed
# independently of pr-train: per-group and pooled fits by R's lm / glm, the
# DerSimonian-Laird between-group variance of each coefficient by hand,
#   w = 1/se^2, bw = sum(w b)/sum(w), Q = sum(w (b - bw)^2),
#   tau2 = max(0, (Q - (K-1)) / (sum(w) - sum(w^2)/sum(w))),
# and each group's coefficient shrunk toward the pooled one,
# jointly with the group's covariance V (T = diag(tau2), Vm the pooled one):
#   A = T (T + V)^-1,  b* = m + A (b - m),  cov* = A V + (I - A) Vm (I - A)'.
# Writes the data (train-shrink.csv: 12 groups, 30 rows each, y linear and
# bought logistic in price with group-specific intercepts and slopes) and
# the expected tables train-ref-shrink.csv (linear) and
# train-ref-shrink-logit.csv (logistic, R's default glm).
#   Rscript train-shrink.R
set.seed(5)
G <- 12; n <- 30
g <- rep(sprintf("g%02d", 1:G), each = n)
a <- rnorm(G, 10, 2)[as.integer(factor(g))]
b <- rnorm(G, -1.5, 0.4)[as.integer(factor(g))]
price <- round(runif(G * n, 2, 8), 2)
y <- round(a + b * price + rnorm(G * n, 0, 4), 3)
eta <- 0.5 + (b + 0.5) * (price - 5) / 2
bought <- as.integer(runif(G * n) < 1 / (1 + exp(-eta)))
d <- data.frame(item = g, price = price, y = y, bought = bought)
write.csv(d, "train-shrink.csv", row.names = FALSE, quote = FALSE)
d <- read.csv("train-shrink.csv")
fits <- function(fam) {
  fit <- function(data) if (fam == "linear") lm(y ~ price, data) else
    glm(bought ~ price, binomial, data)
  pooled <- fit(d)
  groups <- lapply(split(d, d$item), fit)
  B <- t(sapply(groups, coef)); S <- t(sapply(groups, function(m) summary(m)$coefficients[, 2]))
  m <- coef(pooled)
  tau2 <- sapply(seq_along(m), function(j) {
    w <- 1 / S[, j]^2; bw <- sum(w * B[, j]) / sum(w); Q <- sum(w * (B[, j] - bw)^2)
    max(0, (Q - (nrow(B) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  })
  ps <- summary(pooled)$coefficients
  pv <- function(stat, df) if (fam == "linear") 2 * pt(-abs(stat), df) else 2 * pnorm(-abs(stat))
  out <- data.frame(group = "", term = rownames(ps), estimate = ps[, 1], std_error = ps[, 2],
                    statistic = ps[, 3], p_value = ps[, 4], raw_estimate = ps[, 1],
                    raw_std_error = ps[, 2])
  Vm <- vcov(pooled); T <- diag(tau2); I <- diag(length(m))
  for (k in rownames(B)) {
    V <- vcov(groups[[k]])
    A <- T %*% solve(T + V)
    bs <- as.vector(m + A %*% (B[k, ] - m))
    ss <- sqrt(diag(A %*% V + (I - A) %*% Vm %*% t(I - A)))
    st <- bs / ss
    out <- rbind(out, data.frame(group = k, term = names(m), estimate = bs, std_error = ss,
      statistic = st, p_value = pv(st, df.residual(groups[[k]])), raw_estimate = B[k, ],
      raw_std_error = S[k, ]))
  }
  attr(out, "tau2") <- tau2
  out
}
tau2_of <- function(f) c(attr(f("linear"), "tau2"), attr(f("logistic"), "tau2"))
w <- function(x, file) {
  for (j in 3:8) x[[j]] <- sprintf("%.17g", x[[j]])
  write.csv(x, file, row.names = FALSE, quote = FALSE)
}
cat(sprintf("tau2 %s\n", paste(sprintf("%.6g", tau2_of(fits)), collapse = " ")))
w(fits("linear"), "train-ref-shrink.csv")
w(fits("logistic"), "train-ref-shrink-logit.csv")
# pr-score on score-shrink.csv with the linear model uses the shrunk
# coefficients (an unseen item: the pooled ones): train-ref-shrink-score.csv
lin <- fits("linear"); s <- read.csv("score-shrink.csv")
s$pred <- sapply(seq_len(nrow(s)), function(i) {
  k <- if (s$item[i] %in% lin$group) s$item[i] else ""
  co <- as.numeric(lin$estimate[lin$group == k])
  co[1] + co[2] * s$price[i]
})
s$pred <- sprintf("%.17g", s$pred)
write.csv(s, "train-ref-shrink-score.csv", row.names = FALSE, quote = FALSE)
