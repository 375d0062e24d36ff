#!/bin/sh
# What a protocol file states that no source does is marked ("assumption": true on a choice)
# and shown: `protocol show` lists every assumption, `design check` labels the design's, and a
# malformed mark is an error with its place.
. "$(dirname "$0")/lib.sh"
NELMAS="$SRC/protocols/nelmas.json"
NR="$SRC/protocols/net-retreat.json"
expect_exit 0 -- "$LUTETIA" protocol show "$NELMAS"
expect_out '^Assumptions: what this file states that no source does'
expect_out '^  dosing.cumulative_limit_mbq \(cumulative-limit\): the cumulative limit is 16,280 MBq'
expect_out '^  randomisation.stratification \(stratification-factors\):'
expect_out '^  design.accrual_months \(design-accrual\):'
expect_out 'cumulative-limit \(dosing.cumulative_limit_mbq; sources 002\) \[assumption\]'
# a choice the sources settle is not listed as an assumption
expect_no_out '^  design.hazard_ratio \(design-hazard-ratio\)'
expect_exit 1 -- "$LUTETIA" design check "$NELMAS"
expect_out '^assumption, not stated by the sources: design.accrual_months \(choice design-accrual\)'
expect_exit 0 -- "$LUTETIA" design check "$NR" --json
expect_jq '[.assumptions[].choice] == ["design-effect", "design-error-rates", "design-accrual", "design-size"]'
# every number of NET RETREAT's design is the file's own: each design member it sets is covered
expect_exit 0 -- "$LUTETIA" protocol show "$NR"
expect_out '^  design.medians \(design-effect\):'
# the mark is a boolean, checked with its place
jq '.choices[0].assumption = "yes"' "$NELMAS" >"$TMP/bad.json"
expect_exit 1 -- "$LUTETIA" protocol check "$TMP/bad.json"
expect_out 'choices\[0\].assumption: expected true or false, found (a )?string'
jq '.design.choices[0].assumption = 1' "$NELMAS" >"$TMP/bad2.json"
expect_exit 4 -- "$LUTETIA" design check "$TMP/bad2.json"
expect_err 'design.choices\[0\].assumption: expected true or false'
finish
