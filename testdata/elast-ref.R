# elast-ref.R - the reference for pr-report's price elasticities by group
# (tests/check-elasticity.sh).  Makes elast-train.csv (purchases of three
# segments whose probability of buying is logistic in price, with a price x
# segment interaction) and elast-cands.csv (the rows to price), once; then,
# given elast-opt.csv (pr-optimize's prices for elast-cands.csv with the model
# pr-train fits to elast-train.csv), fits the same model with R's glm and
# writes elast-ref.txt: per segment, the elasticity of the segment's demand
# at today's and at the chosen prices,
#   E = sum_i p_i dmu_i/dp / sum_i mu_i   (d log demand / d log price),
# with its standard error and 95% interval by the delta method (normal), the gradient
# of E with respect to the coefficients taken by central differences (not
# by the closed form pr-report uses), and vcov() of the fit.
# Run in testdata/:  Rscript elast-ref.R
options(digits = 17)
if (!file.exists("elast-train.csv")) {
	set.seed(20261201)
	n <- 900
	segment <- sample(c("a", "b", "c"), n, replace = TRUE)
	price <- round(runif(n, 4, 16), 2)
	a <- c(a = 3.0, b = 2.0, c = 4.0)[segment]
	b <- c(a = -0.30, b = -0.12, c = -0.45)[segment]
	bought <- rbinom(n, 1, plogis(a + b * price))
	write.csv(data.frame(segment, price, bought), "elast-train.csv", row.names = FALSE,
	    quote = FALSE)
	m <- 24
	cands <- data.frame(id = sprintf("r%02d", 1:m), segment = rep(c("a", "b", "c"), m / 3),
	    price = round(runif(m, 6, 14), 2), cost = round(runif(m, 2, 4), 2))
	write.csv(cands, "elast-cands.csv", row.names = FALSE, quote = FALSE)
}
if (!file.exists("elast-opt.csv"))
	quit(status = 0)
train <- read.csv("elast-train.csv")
# glm's default convergence, as pr-train's (so the covariance is the same to
# many digits: both are taken at the last IRLS step's weights)
fit <- glm(bought ~ price * segment, family = binomial, data = train)
opt <- read.csv("elast-opt.csv")
V <- vcov(fit)
# E of the rows w at prices p for coefficients beta: demand mu = plogis(eta)
elast <- function(beta, rows, p) {
	X <- model.matrix(~ price * segment, data = transform(rows, price = p))
	dX <- model.matrix(~ price * segment, data = transform(rows, price = p + 1)) -
	    model.matrix(~ price * segment, data = transform(rows, price = p))
	eta <- drop(X %*% beta)
	mu <- plogis(eta)
	dmu <- mu * (1 - mu) * drop(dX %*% beta)
	sum(p * dmu) / sum(mu)
}
opt$segment <- factor(opt$segment, levels = levels(factor(train$segment)))
out <- NULL
for (s in sort(unique(as.character(opt$segment)))) {
	rows <- opt[opt$segment == s, ]
	for (at in c("today", "chosen")) {
		p <- if (at == "today") rows$price else rows$opt_price
		beta <- coef(fit)
		e <- elast(beta, rows, p)
		h <- 1e-5
		g <- sapply(seq_along(beta), function(j) {
			up <- beta; up[j] <- up[j] + h
			dn <- beta; dn[j] <- dn[j] - h
			(elast(up, rows, p) - elast(dn, rows, p)) / (2 * h)
		})
		se <- sqrt(drop(t(g) %*% V %*% g))
		z <- qnorm(0.975)
		out <- rbind(out, data.frame(group = s, at = at, elasticity = e, se = se,
		    lower = e - z * se, upper = e + z * se))
	}
}
write.table(format(out, digits = 15), "elast-ref.txt", row.names = FALSE, quote = FALSE)
