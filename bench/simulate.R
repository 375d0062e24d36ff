# rpact's getSimulationSurvival on the NELMAS design, for bench/simulate.sh: 106 patients
# accrued evenly over 24 months, 1:1, exponential DFS with 25% (control) vs 44% (treatment) at
# 36 months, no dropout, one analysis at 60 events, log-rank at two-sided alpha 0.05 (one-sided
# 0.025 in the direction of benefit). Prints the elapsed and CPU seconds of
# getSimulationSurvival and the simulated power.
# Usage: Rscript bench/simulate.R [ITERATIONS] [SEED]
suppressMessages(library(rpact))
args <- commandArgs(trailingOnly = TRUE)
iterations <- if (length(args) >= 1) as.integer(args[1]) else 100000L
seed <- if (length(args) >= 2) as.integer(args[2]) else 12345L
design <- getDesignGroupSequential(kMax = 1, alpha = 0.025, sided = 1)
st <- system.time(
  sim <- getSimulationSurvival(design,
    pi1 = 1 - 0.44, pi2 = 1 - 0.25, eventTime = 36,
    accrualTime = 24, maxNumberOfSubjects = 106, plannedEvents = 60,
    directionUpper = FALSE, allocation1 = 1, allocation2 = 1,
    maxNumberOfIterations = iterations, seed = seed)
)
cat(sprintf("rpact_seconds %.3f\nrpact_cpu_seconds %.3f\nrpact_power %.5f\nrpact_mean_duration %.4f\nrpact_iterations %d\n",
            st[["elapsed"]], st[["user.self"]] + st[["sys.self"]], sim$overallReject,
            sim$analysisTime[1], iterations))
