# Produces the reference numbers the stats tests check against (tests/stats/data/*.ref), with
# R and the survival package. Run from tests/stats:  Rscript make_reference.R
# It also writes the synthetic data set data/sim.csv (fixed seed). The tests themselves only
# read the files, so they pass on a machine without R.
suppressMessages(library(survival))
options(digits = 17)

out <- NULL
put <- function(key, value) {
  value <- as.numeric(value)
  out <<- c(out, paste(key, paste(ifelse(is.na(value), "NA", sprintf("%.17g", value)), collapse = " ")))
}

km_ref <- function(prefix, fit, times = NULL) {
  nstr <- if (is.null(fit$strata)) 1 else length(fit$strata)
  tab <- summary(fit)$table
  if (nstr == 1) tab <- matrix(tab, nrow = 1, dimnames = list(NULL, names(tab)))
  for (i in seq_len(nstr)) {
    f <- if (nstr == 1) fit else fit[i]
    p <- sprintf("%s.%d", prefix, i)
    put(paste0(p, ".time"), f$time)
    put(paste0(p, ".n.risk"), f$n.risk)
    put(paste0(p, ".n.event"), f$n.event)
    put(paste0(p, ".surv"), f$surv)
    put(paste0(p, ".std.err"), f$std.err * f$surv)   # SE of S, as summary() prints
    put(paste0(p, ".lower"), f$lower)
    put(paste0(p, ".upper"), f$upper)
    put(paste0(p, ".median"), tab[i, c("median", grep("LCL|UCL", colnames(tab), value = TRUE))])
    if (!is.null(times)) {
      s <- summary(f, times = times, extend = TRUE)
      put(paste0(p, ".at.n.risk"), s$n.risk)
      put(paste0(p, ".at.n.event"), s$n.event)
      put(paste0(p, ".at.surv"), s$surv)
      put(paste0(p, ".at.std.err"), s$std.err)
      put(paste0(p, ".at.lower"), s$lower)
      put(paste0(p, ".at.upper"), s$upper)
    }
  }
}

cox_ref <- function(prefix, fit) {
  s <- summary(fit)
  put(paste0(prefix, ".coef"), coef(fit))
  put(paste0(prefix, ".se"), sqrt(diag(fit$naive.var %||% fit$var)))
  if (!is.null(fit$naive.var)) put(paste0(prefix, ".robust_se"), sqrt(diag(fit$var)))
  put(paste0(prefix, ".lower"), s$conf.int[, 3])
  put(paste0(prefix, ".upper"), s$conf.int[, 4])
  put(paste0(prefix, ".p"), s$coefficients[, ncol(s$coefficients)])
  put(paste0(prefix, ".loglik"), fit$loglik)
  put(paste0(prefix, ".lr"), 2 * diff(fit$loglik))
  put(paste0(prefix, ".wald"), fit$wald.test)
  put(paste0(prefix, ".score"), fit$score)
  put(paste0(prefix, ".n"), c(fit$n, fit$nevent))
}
`%||%` <- function(a, b) if (is.null(a)) b else a

rmst_ref <- function(prefix, fit, tau) {
  tab <- summary(fit, rmean = tau)$table
  if (is.null(dim(tab))) tab <- matrix(tab, nrow = 1, dimnames = list(NULL, names(tab)))
  put(paste0(prefix, ".rmean"), tab[, "rmean"])
  put(paste0(prefix, ".se"), tab[, "se(rmean)"])
}

logrank_ref <- function(prefix, sd) {
  put(paste0(prefix, ".chisq"), sd$chisq)
  put(paste0(prefix, ".observed"), if (is.matrix(sd$obs)) rowSums(sd$obs) else sd$obs)
  put(paste0(prefix, ".expected"), if (is.matrix(sd$exp)) rowSums(sd$exp) else sd$exp)
  put(paste0(prefix, ".var"), sd$var)
}

## 1. lung (../shared/reference/lung.csv)
lung <- read.csv(file.path("..", "..", "..", "shared", "reference", "lung.csv"))
km_ref("lung.km.log", survfit(Surv(time, event) ~ sex, data = lung), c(180, 365, 730))
km_ref("lung.km.loglog", survfit(Surv(time, event) ~ sex, data = lung, conf.type = "log-log"),
       c(180, 365, 730))
km_ref("lung.km.plain", survfit(Surv(time, event) ~ sex, data = lung, conf.type = "plain"))
km_ref("lung.km.all", survfit(Surv(time, event) ~ 1, data = lung))
logrank_ref("lung.logrank", survdiff(Surv(time, event) ~ sex, data = lung))
logrank_ref("lung.logrank.strat", survdiff(Surv(time, event) ~ sex + strata(ph.ecog), data = lung))
cox_ref("lung.cox.efron", coxph(Surv(time, event) ~ sex + age, data = lung, ties = "efron"))
cox_ref("lung.cox.breslow", coxph(Surv(time, event) ~ sex + age, data = lung, ties = "breslow"))
cox_ref("lung.cox.ecog", coxph(Surv(time, event) ~ sex + age + ph.ecog, data = lung))
cox_ref("lung.cox.strata", coxph(Surv(time, event) ~ sex + age + strata(ph.ecog), data = lung))
rmst_ref("lung.rmst.365", survfit(Surv(time, event) ~ sex, data = lung), 365)
rmst_ref("lung.rmst.730", survfit(Surv(time, event) ~ sex, data = lung), 730)

## 2. a synthetic trial: three arms, heavy ties (times rounded to weeks), two strata,
## clusters of up to four rows (sites), exponential times, uniform censoring
set.seed(20261121)
n <- 400
arm <- sample(c("control", "lu177", "lu177_high"), n, replace = TRUE)
stratum <- sample(c("G1", "G2"), n, replace = TRUE)
age <- round(rnorm(n, 62, 9))
ki67 <- round(runif(n, 1, 20), 1)
site <- sample(1:60, n, replace = TRUE)
rate <- 0.01 * exp(-0.4 * (arm == "lu177") - 0.7 * (arm == "lu177_high") + 0.03 * (age - 62) +
                   0.05 * ki67 + 0.3 * (stratum == "G2"))
t <- rexp(n, rate)
cens <- runif(n, 30, 400)
time <- pmax(1, round(pmin(t, cens) / 7) * 7)
event <- as.integer(t <= cens)
age[sample(n, 5)] <- NA           # rows R drops when age is used
sim <- data.frame(time, event, arm, stratum, age, ki67, site)
write.csv(sim, file.path("data", "sim.csv"), row.names = FALSE, na = "")
sim <- read.csv(file.path("data", "sim.csv"))
km_ref("sim.km.log", survfit(Surv(time, event) ~ arm, data = sim), c(50, 100, 200))
km_ref("sim.km.loglog", survfit(Surv(time, event) ~ arm, data = sim, conf.type = "log-log"))
km_ref("sim.km.strata", survfit(Surv(time, event) ~ arm + strata(stratum), data = sim))
logrank_ref("sim.logrank", survdiff(Surv(time, event) ~ arm, data = sim))
logrank_ref("sim.logrank.strat", survdiff(Surv(time, event) ~ arm + strata(stratum), data = sim))
cox_ref("sim.cox.efron", coxph(Surv(time, event) ~ age + ki67, data = sim))
cox_ref("sim.cox.breslow", coxph(Surv(time, event) ~ age + ki67, data = sim, ties = "breslow"))
cox_ref("sim.cox.cluster", coxph(Surv(time, event) ~ age + ki67, data = sim, cluster = site))
cox_ref("sim.cox.cluster.breslow", coxph(Surv(time, event) ~ age + ki67, data = sim,
                                         cluster = site, ties = "breslow"))
cox_ref("sim.cox.robust", coxph(Surv(time, event) ~ age + ki67, data = sim, robust = TRUE))
cox_ref("sim.cox.strata", coxph(Surv(time, event) ~ age + ki67 + strata(stratum), data = sim))
rmst_ref("sim.rmst.200", survfit(Surv(time, event) ~ arm, data = sim), 200)

## 3. small hand-checkable cases: the median on a flat stretch at exactly 0.5
flat <- data.frame(time = c(1, 2, 3, 4, 5, 6, 7, 8), event = c(1, 1, 1, 1, 0, 0, 1, 0))
write.csv(flat, file.path("data", "flat.csv"), row.names = FALSE)
km_ref("flat.km.log", survfit(Surv(time, event) ~ 1, data = flat))
## near-equal times that timefix merges (differences of 1e-10)
near <- data.frame(time = c(1, 1 + 1e-10, 2, 3, 3 - 1e-10, 4, 5, 6),
                   event = c(1, 1, 0, 1, 1, 1, 0, 1), x = c(0, 1, 1, 0, 1, 0, 1, 1))
write.csv(format(near, digits = 17), file.path("data", "near.csv"), row.names = FALSE, quote = FALSE)
near <- read.csv(file.path("data", "near.csv"))
km_ref("near.km.log", survfit(Surv(time, event) ~ 1, data = near))
cox_ref("near.cox.efron", coxph(Surv(time, event) ~ x, data = near))

## monotone likelihood: x = 1 dies first; R iterates 20 times and warns the coefficient may be
## infinite
mono <- data.frame(time = 1:6, event = c(1, 1, 1, 1, 1, 0), x = c(1, 1, 1, 0, 0, 0))
write.csv(mono, file.path("data", "mono.csv"), row.names = FALSE)
cox_ref("mono.cox.efron", suppressWarnings(coxph(Surv(time, event) ~ x, data = mono)))

writeLines(c(sprintf("# made by tests/stats/make_reference.R with %s, survival %s",
                     R.version.string, packageVersion("survival")), out),
           file.path("data", "reference.txt"))
