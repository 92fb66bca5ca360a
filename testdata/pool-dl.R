# pool-dl.R - reference for tests/unit/test_pool.c: the DerSimonian-Laird
# between-group variance and the empirical-Bayes shrunk estimates, computed
# by hand from their definitions (DerSimonian and Laird 1986; Morris 1983):
#   w = 1/v, bw = sum(w b)/sum(w), Q = sum(w (b - bw)^2),
#   tau2 = max(0, (Q - (K-1)) / (sum(w) - sum(w^2)/sum(w))),
#   shrunk = m + tau2/(tau2 + v) (b - m),
#   post.var = tau2 v/(tau2 + v) + (v/(tau2 + v))^2 vm   (vm: m's variance).
# Entries with a non-finite estimate or variance take no part.
#   Rscript pool-dl.R > pool-dl.txt
put <- function(name, x) cat(sprintf("%s.%d %.17g\n", name, seq_along(x), as.numeric(x)), sep = "")
dl <- function(name, b, v, m, vm) {
  ok <- is.finite(b) & is.finite(v) & v > 0
  w <- 1 / v[ok]; bb <- b[ok]
  bw <- sum(w * bb) / sum(w)
  Q <- sum(w * (bb - bw)^2)
  tau2 <- max(0, (Q - (length(bb) - 1)) / (sum(w) - sum(w^2) / sum(w)))
  shr <- ifelse(ok, m + tau2 / (tau2 + v) * (b - m), m)
  pv <- ifelse(ok, tau2 * v / (tau2 + v) + (v / (tau2 + v))^2 * vm, tau2 + vm)
  put(paste0(name, ".k"), length(b)); put(paste0(name, ".est"), b); put(paste0(name, ".var"), v)
  put(paste0(name, ".center"), m); put(paste0(name, ".centervar"), vm)
  put(paste0(name, ".used"), sum(ok))
  put(paste0(name, ".tau2"), tau2); put(paste0(name, ".q"), Q); put(paste0(name, ".meanw"), bw)
  put(paste0(name, ".shrunk"), shr); put(paste0(name, ".postvar"), pv)
}
set.seed(11)
v <- runif(12, 0.01, 0.1)
dl("het", rnorm(12, 0.5, sqrt(0.09 + v)), v, 0.47, 0.004)
v <- runif(6, 0.05, 0.2)
dl("hom", 1 + rnorm(6, 0, sqrt(v) / 4), v, 1.02, 0.01)
v <- c(runif(7, 0.5, 2), Inf, 1)
b <- c(rnorm(7, -3, sqrt(4 + v[1:7])), 2, NaN)
dl("gaps", b, v, -2.9, 0.05)
# Joint shrinkage of one group's coefficients (pool_shrink_joint):
#   A = T (T + V)^-1, post = m + A (b - m), post.cov = A V + (I - A) Vm (I - A)'
putm <- function(name, x) put(name, t(x))   # row-major
joint <- function(name, b, V, m, Vm, tau2) {
  T <- diag(tau2, length(tau2)); A <- T %*% solve(T + V); I <- diag(length(b))
  put(paste0(name, ".p"), length(b)); put(paste0(name, ".est"), b); putm(paste0(name, ".cov"), V)
  put(paste0(name, ".center"), m); putm(paste0(name, ".centercov"), Vm)
  put(paste0(name, ".tau2"), tau2)
  put(paste0(name, ".post"), m + A %*% (b - m))
  putm(paste0(name, ".postcov"), A %*% V + (I - A) %*% Vm %*% t(I - A))
}
joint("j2", c(4.4, -0.74), matrix(c(3.0, -0.46, -0.46, 0.075), 2), c(2.95, -0.51),
      matrix(c(0.146, -0.026, -0.026, 0.0049), 2), c(0.09, 0))
joint("j3", c(1, 2, -1), matrix(c(0.5, 0.1, 0.05, 0.1, 0.4, -0.1, 0.05, -0.1, 0.3), 3),
      c(0.8, 1.5, -0.7), diag(c(0.02, 0.03, 0.01)), c(0.2, 0.5, 1.5))
