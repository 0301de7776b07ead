-- bench/soak.lua - wrk script for bench/soak.sh: the requests of
-- bench/http_bench.lua (the same selfie, a reference_id unique to each
-- request), with every answer counted by its HTTP status. done() prints
-- "status CODE COUNT" lines and the figures soak.sh reads.

dofile("bench/http_bench.lua")

local threads = {}
local bench_setup = setup

function setup(thread)
  bench_setup(thread)
  table.insert(threads, thread)
end

counts = {}

function response(status, headers, body)
  local k = tostring(status)
  counts[k] = (counts[k] or 0) + 1
  if (status < 200 or status > 299) and not first_bad then
    first_bad = status .. " " .. body:sub(1, 200)
  end
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("counts") or {}) do
      total[k] = (total[k] or 0) + v
    end
    local fb = t:get("first_bad")
    if fb then io.write("first_non2xx ", fb:gsub("\n", " "), "\n") end
  end
  for k, v in pairs(total) do
    io.write(string.format("status %s %d\n", k, v))
  end
  local secs = summary.duration / 1e6
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %.2f\n", secs))
  io.write(string.format("rps %.1f\n", summary.requests / secs))
  io.write(string.format("p50_ms %.1f\n", latency:percentile(50) / 1000))
  io.write(string.format("p99_ms %.1f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms %.1f\n", latency.max / 1000))
  io.write(string.format("socket_errors %d %d %d %d\n", summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout))
end
