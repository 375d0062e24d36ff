# R's side of bench/stats.sh: times the same analyses as Lutetia on the same CSV with R and the
# survival package, printing "step wall_seconds cpu_seconds" per step (cpu = user + system).
# usage: Rscript stats.R DATA.csv
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
timed <- function(name, expr) {
  t <- system.time(expr, gcFirst = TRUE)
  cat(sprintf("%s %.3f %.3f\n", name, t[["elapsed"]], t[["user.self"]] + t[["sys.self"]]))
}
# the user's call: read the file, fit the model
timed("read.csv", d <- read.csv(args[1]))
timed("coxph", fit <- coxph(Surv(time, event) ~ arm + x1 + x2, data = d))
# the fit alone: coxph.fit on the model matrix, as coxph calls it (it sorts the data itself)
X <- as.matrix(d[, c("arm", "x1", "x2")])
Y <- Surv(d$time, d$event)
timed("coxph.fit", f2 <- coxph.fit(X, Y, strata = NULL, offset = NULL, init = NULL,
                                   control = coxph.control(), weights = NULL, method = "efron",
                                   rownames = NULL))
timed("survfit", km <- survfit(Surv(time, event) ~ arm, data = d))
timed("survdiff", lr <- survdiff(Surv(time, event) ~ arm, data = d))
cat(sprintf("coef %s\n", paste(sprintf("%.10g", coef(fit)), collapse = " ")))
cat(sprintf("chisq %.10g\n", lr$chisq))
cat(sprintf("median %s\n", paste(summary(km)$table[, "median"], collapse = " ")))
