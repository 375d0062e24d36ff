# Reference numbers for tests/design/test_design.c, computed with R 4.2 and rpact 3.3.4
# (Debian r-cran-rpact). Rerun from the source tree to regenerate the CSV files:
#   Rscript tests/design/rpact_reference.R
# Columns are the inputs of lt_design (hazards per month) and rpact's results.
suppressMessages(library(rpact))
out <- "tests/design/rpact_sample_size.csv"
cases <- list(
  # method, alpha, sides, power, ratio, lambda2 (control), hr, accrual, follow-up, dropout rate, dropout time
  list("schoenfeld", 0.05, 2, 0.80, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 36, 0, 12),
  list("freedman",   0.05, 2, 0.80, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 36, 0, 12),
  list("schoenfeld", 0.025, 1, 0.90, 2, log(2) / 12, 0.7, 18, 12, 0.05, 12),
  list("freedman",   0.05, 1, 0.80, 1, log(2) / 10, 10 / 15, 12, 24, 0.10, 12),
  list("schoenfeld", 0.05, 2, 0.80, 1, log(2) / 6, 0.5, 24, 12, 0.20, 24),
  list("freedman",   0.01, 2, 0.95, 0.5, log(2) / 20, 0.6, 30, 6, 0.15, 12),
  list("schoenfeld", 0.10, 1, 0.80, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 36, 0, 12)
)
rows <- lapply(cases, function(c) {
  toc <- if (c[[1]] == "schoenfeld") "Schoenfeld" else "Freedman"
  x <- getSampleSizeSurvival(typeOfComputation = toc, alpha = c[[2]], sided = c[[3]],
    beta = 1 - c[[4]], allocationRatioPlanned = c[[5]], lambda2 = c[[6]], hazardRatio = c[[7]],
    accrualTime = c(0, c[[8]]), followUpTime = c[[9]], dropoutRate1 = c[[10]],
    dropoutRate2 = c[[10]], dropoutTime = c[[11]])
  data.frame(method = c[[1]], alpha = c[[2]], sides = c[[3]], power = c[[4]], ratio = c[[5]],
    control_hazard = c[[6]], hr = c[[7]], accrual = c[[8]], follow_up = c[[9]],
    dropout_rate = c[[10]], dropout_time = c[[11]],
    events = x$maxNumberOfEvents, patients = x$maxNumberOfSubjects)
})
write.csv(do.call(rbind, rows), out, row.names = FALSE, quote = FALSE)

# Power for a given number of events (getPowerSurvival computes it from the events, Schoenfeld).
out2 <- "tests/design/rpact_power.csv"
pcases <- list(
  list(0.025, 1, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 106, 60),
  list(0.05, 1, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 106, 60),
  list(0.025, 1, 2, log(2) / 12, 0.7, 18, 600, 331),
  list(0.005, 1, 1, log(2) / 6, 0.5, 12, 200, 90),
  list(0.05, 2, 1, -log(0.25) / 36, log(0.44) / log(0.25), 24, 106, 60)
)
prows <- lapply(pcases, function(c) {
  # directionUpper = FALSE: benefit is HR < 1 (one-sided); two-sided power has both tails
  x <- if (c[[2]] == 1) getPowerSurvival(alpha = c[[1]], sided = 1,
      allocationRatioPlanned = c[[3]], lambda2 = c[[4]], hazardRatio = c[[5]],
      accrualTime = c(0, c[[6]]), maxNumberOfSubjects = c[[7]], maxNumberOfEvents = c[[8]],
      directionUpper = FALSE)
    else getPowerSurvival(alpha = c[[1]], sided = 2, allocationRatioPlanned = c[[3]],
      lambda2 = c[[4]], hazardRatio = c[[5]], accrualTime = c(0, c[[6]]),
      maxNumberOfSubjects = c[[7]], maxNumberOfEvents = c[[8]])
  data.frame(alpha = c[[1]], sides = c[[2]], ratio = c[[3]], control_hazard = c[[4]],
    hr = c[[5]], accrual = c[[6]], patients = c[[7]], events = c[[8]],
    power = x$overallReject)
})
write.csv(do.call(rbind, prows), out2, row.names = FALSE, quote = FALSE)

# Simulated power (getSimulationSurvival) of the NELMAS design, 100000 iterations, for the
# simulation test's Monte Carlo comparison.
design <- getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
sim <- getSimulationSurvival(design, pi1 = 1 - 0.44, pi2 = 1 - 0.25, eventTime = 36,
  accrualTime = 24, maxNumberOfSubjects = 106, plannedEvents = 60, directionUpper = FALSE,
  maxNumberOfIterations = 100000, seed = 12345)
write.csv(data.frame(iterations = 100000, power = sim$overallReject,
  mean_duration = sim$analysisTime[1]), "tests/design/rpact_simulation.csv",
  row.names = FALSE, quote = FALSE)
