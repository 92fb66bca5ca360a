# Reference values of the basis functions for tests/unit/test_formula.c:
# R's poly(), splines::ns() and splines::bs() learned on a training vector
# and evaluated by predict() at new points (inside, on and beyond the
# boundary knots), their derivatives by central differences of predict()
# (h = 1e-5: the error of a difference of a cubic is below 1e-9; forward
# differences for a degree-1 spline, whose slope the formula takes from the
# right at a knot), and the
# knots R chose.  Run in testdata/: Rscript formula-basis-ref.R
library(splines)
x <- c(cars$speed, 9.5, 13.25, 21.75)          # ties, and a few values between
at <- c(0.5, 4, 4.75, 7, 12, 13, 15.5, 18, 24.9, 25, 27, 40)
terms <- c("poly(x, 1)", "poly(x, 3)", "poly(x, degree = 5)",
           "ns(x)", "ns(x, df = 3)", "ns(x, 5)", "ns(x, df = 4, intercept = TRUE)",
           "ns(x, knots = c(10, 15))", "ns(x, knots = c(10, 15), Boundary.knots = c(6, 22))",
           "ns(x, df = 3, Boundary.knots = c(7, 20))",
           "bs(x)", "bs(x, df = 5)", "bs(x, df = 6, degree = 2)", "bs(x, knots = 12, degree = 1)",
           "bs(x, df = 4, intercept = TRUE)", "bs(x, knots = c(8, 16, 20), Boundary.knots = c(5, 24))",
           "bs(x, 7, degree = 4)")
f17 <- function(v) paste(sprintf("%.17g", v), collapse = " ")
out <- c(paste("train", f17(x), sep = "|"))
for (t in terms) {
  b <- eval(parse(text = t))
  p <- function(v) predict(b, v)
  h <- 1e-5
  k <- attr(b, "knots")
  if (!is.null(k)) out <- c(out, paste("knots", t, f17(if (length(k)) k else numeric(0)),
                                       f17(attr(b, "Boundary.knots")), sep = "|"))
  for (a in at) {
    # the right-hand derivative where a degree-1 spline bends, else central
    d <- if (grepl("degree = 1", t)) (p(a + h) - p(a)) / h else (p(a + h) - p(a - h)) / (2 * h)
    out <- c(out, paste("value", t, f17(a), f17(p(a)), f17(d), sep = "|"))
  }
}
writeLines(out, "formula-basis-ref.txt")
