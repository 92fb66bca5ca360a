# R's lm on the eleven NIST StRD linear regression sets: the log relative
# error (correct significant digits) of the worst estimate, of the worst
# standard error and of the residual standard deviation against the certified values in fit-nist-cert.txt.
#   Rscript fit-nist-R.R > fit-nist-R.txt
# An estimate lm reports as NA (aliased) counts as 0 digits.  Where the
# certified value is 0 (the exact fits' standard errors) the digits are
# those of the value relative to the estimate (the residual SD: relative to
# the last response), as test_fit.c counts them.
cert <- read.table("fit-nist-cert.txt", col.names = c("name", "value"),
                   colClasses = c("character", "numeric"))
cv <- function(key) {
  v <- cert$value[startsWith(cert$name, paste0(key, "."))]
  i <- as.integer(sub(".*\\.", "", cert$name[startsWith(cert$name, paste0(key, "."))]))
  v[order(i)]
}
lre <- function(got, want) {
  if (is.na(got)) return(0)
  if (got == want) return(17)
  e <- if (want == 0) abs(got) else abs(got - want) / abs(want)
  min(17, -log10(e))
}
report <- function(set, m) {
  b <- coef(m)
  se <- rep(NA_real_, length(b))
  s <- summary(m)$coefficients
  se[match(rownames(s), names(b))] <- s[, 2]
  cb <- cv(paste0(set, ".coef")); cs <- cv(paste0(set, ".se"))
  lb <- min(mapply(lre, b, cb))
  ls <- min(mapply(function(g, w, est) if (w == 0) {
    if (is.na(g)) 0 else min(17, -log10(abs(g) / abs(est) + 1e-17))
  } else lre(g, w), se, cs, b))
  sg <- summary(m)$sigma; cg <- cv(paste0(set, ".sigma"))
  y <- model.response(model.frame(m))
  lg <- if (cg == 0) min(17, -log10(sg / abs(y[length(y)]) + 1e-17)) else lre(sg, cg)
  cat(sprintf("%s.coef_lre %.1f\n%s.se_lre %.1f\n%s.sigma_lre %.1f\n", set, lb, set, ls, set, lg))
}
d <- read.csv("fit-nist-norris.csv"); report("norris", lm(y ~ x, d))
d <- read.csv("fit-nist-pontius.csv"); report("pontius", lm(y ~ x + I(x^2), d))
d <- read.csv("fit-nist-noint.csv"); report("noint1", lm(y ~ 0 + x, d))
d <- read.csv("fit-nist-noint2.csv"); report("noint2", lm(y ~ 0 + x, d))
d <- read.csv("fit-nist-filip.csv")
report("filip", lm(y ~ x + I(x^2) + I(x^3) + I(x^4) + I(x^5) + I(x^6) + I(x^7) +
                   I(x^8) + I(x^9) + I(x^10), d))
d <- read.csv("fit-nist-longley.csv"); report("longley", lm(y ~ ., d))
d <- read.csv("fit-nist-wampler.csv")
for (k in 1:5) {
  d$y <- d[[paste0("y", k)]]
  report(paste0("wampler", k), lm(y ~ x + I(x^2) + I(x^3) + I(x^4) + I(x^5), d))
}
