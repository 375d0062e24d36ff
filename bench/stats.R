# R's side of bench/stats.sh: times the same analyses as Lutetia on the same CSV, with R and the
# survival package, and prints one "name seconds" line per step.
# usage: Rscript stats.R DATA.csv
suppressMessages(library(survival))
args <- commandArgs(trailingOnly = TRUE)
el <- function(expr) unname(system.time(expr, gcFirst = TRUE)[["elapsed"]])
t_read <- el(d <- read.csv(args[1]))
t_cox <- el(fit <- coxph(Surv(time, event) ~ arm + x1 + x2, data = d))
# the fit alone: coxph.fit on the model matrix, as coxph calls it
X <- as.matrix(d[, c("arm", "x1", "x2")])
Y <- Surv(d$time, d$event)
t_coxfit <- el(f2 <- coxph.fit(X, Y, strata = NULL, offset = NULL, init = NULL,
                               control = coxph.control(), weights = NULL, method = "efron",
                               rownames = NULL))
t_km <- el(km <- survfit(Surv(time, event) ~ arm, data = d))
t_lr <- el(lr <- survdiff(Surv(time, event) ~ arm, data = d))
cat(sprintf("read.csv %.3f\n", t_read))
cat(sprintf("coxph %.3f\n", t_cox))
cat(sprintf("coxph.fit %.3f\n", t_coxfit))
cat(sprintf("survfit %.3f\n", t_km))
cat(sprintf("survdiff %.3f\n", t_lr))
cat(sprintf("coef %s\n", paste(sprintf("%.10g", coef(fit)), collapse = " ")))
cat(sprintf("chisq %.10g\n", lr$chisq))
