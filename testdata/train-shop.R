# Run in testdata/: Rscript train-shop.R (R 4.x; the CSV is stored, CI does not need R).
# Generates testdata/train-shop.csv: 240 purchase offers with a known model.
set.seed(20260101)
n <- 240
segment <- sample(c("basic", "plus", "vip"), n, replace = TRUE, prob = c(.5, .3, .2))
price <- round(runif(n, 5, 30), 2)
list_price <- round(price * runif(n, 1.0, 1.4), 2)
loyalty <- round(rexp(n, 1/3), 1)
eta <- 2.2 - 0.11 * price + 0.15 * loyalty + ifelse(segment == "vip", 0.8, ifelse(segment == "plus", 0.3, 0)) +
  ifelse(segment == "vip", 0.03 * price, 0)
bought <- rbinom(n, 1, plogis(eta))
qty <- rpois(n, exp(1.5 - 0.04 * price + 0.05 * loyalty + ifelse(segment == "vip", 0.4, 0)))
revenue <- round(50 - 1.3 * price + 2.1 * loyalty + ifelse(segment == "plus", 4, 0) + rnorm(n, 0, 3), 3)
item <- sample(c("A", "B"), n, replace = TRUE)
d <- data.frame(item, segment, price, list_price, loyalty, bought, qty, revenue)
write.csv(d, "train-shop.csv", row.names = FALSE, quote = FALSE)
