# report-ab-ref.R: R's answers for the A/B test of report-ab.csv (pr-report --ab arm
# --outcome bought --cost cost), written once to report-ab-ref.csv:
#   Rscript report-ab-ref.R > report-ab-ref.csv
d <- read.csv("report-ab.csv")
d$revenue <- d$price * d$bought
d$profit <- (d$price - d$cost) * d$bought
a <- d[d$arm == "A", ]; b <- d[d$arm == "B", ]
p <- prop.test(c(sum(b$bought > 0), sum(a$bought > 0)), c(nrow(b), nrow(a)), correct = FALSE)
out <- data.frame(key = character(), value = numeric())
add <- function(k, v) out[nrow(out) + 1, ] <<- list(k, v)
add("conversion.difference", unname(p$estimate[1] - p$estimate[2]))
add("conversion.lower", p$conf.int[1]); add("conversion.upper", p$conf.int[2])
add("conversion.p_value", p$p.value)
for (m in c("revenue", "profit")) {
  t <- t.test(b[[m]], a[[m]])
  add(paste0(m, ".difference"), unname(t$estimate[1] - t$estimate[2]))
  add(paste0(m, ".lower"), t$conf.int[1]); add(paste0(m, ".upper"), t$conf.int[2])
  add(paste0(m, ".p_value"), t$p.value)
}
p0 <- mean(a$bought > 0)
add("conversion.n_needed", ceiling(power.prop.test(p1 = p0, p2 = p0 * 1.05, power = 0.8)$n))
write.csv(out, stdout(), row.names = FALSE, quote = FALSE)
