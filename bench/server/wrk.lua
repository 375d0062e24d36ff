-- wrk script for bench/server/run.sh and soak.sh: every request carries
-- "Authorization: Bearer $LT_TOKEN". LT_METHOD=POST records labs instead of reading: each
-- request a new one (an analyte and a day of its own, from 1990 on; recording the same lab twice
-- would be a correction), so that every acknowledged write is a distinct stored record.
-- At the end it prints one RESULT line that run.sh reads.
local token = os.getenv("LT_TOKEN") or ""
local post = os.getenv("LT_METHOD") == "POST"
wrk.headers["Authorization"] = "Bearer " .. token
if post then
    wrk.method = "POST"
    wrk.headers["Content-Type"] = "application/json"
end

local analytes = {
    {"platelets", 162}, {"neutrophils", 3.1}, {"hemoglobin", 12.5}, {"wbc", 6},
    {"lymphocytes", 1.5}, {"creatinine", 0.9}, {"alt", 30}, {"ast", 25},
}
local DAYS = 13000 -- 1990-01-01 + 13000 days is still before the trial's today
local BASE = 631152000 -- 1990-01-01T00:00:00Z

local threads = {}
local nthreads = 0
function setup(thread)
    thread:set("tid", nthreads)
    nthreads = nthreads + 1
    table.insert(threads, thread)
end

function init(args)
    ok = 0
    other = 0
    n = 0
    -- threads interleave: thread t writes numbers t, t + T, t + 2T, ... (T = LT_THREADS)
    stride = tonumber(os.getenv("LT_THREADS") or "1")
    offset = tonumber(os.getenv("LT_OFFSET") or "0")
end

function request()
    if not post then return wrk.format() end
    local k = offset + n * stride + tid
    n = n + 1
    local a = analytes[math.floor(k / DAYS) % #analytes + 1]
    local day = os.date("!%Y-%m-%d", BASE + (k % DAYS) * 86400)
    local body = string.format('{"date":"%s","analyte":"%s","value":%s}', day, a[1], a[2])
    return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
    if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
    local o, b = 0, 0
    for _, t in ipairs(threads) do
        o = o + t:get("ok")
        b = b + t:get("other")
    end
    local e = summary.errors
    io.write(string.format("RESULT ok=%d other=%d socket_errors=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f max_ms=%.2f\n",
        o, b, e.connect + e.read + e.write + e.timeout, summary.requests / (summary.duration / 1e6),
        latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
