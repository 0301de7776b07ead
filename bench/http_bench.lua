-- bench/http_bench.lua - wrk script for bench/http_bench.sh: POSTs the
-- benchmark selfie to the passive liveness endpoint with a reference_id
-- unique to each request (thread id, counter, start time), as multipart
-- (LC_BENCH_FORM=multipart, the default) or as v3 JSON with base64
-- (LC_BENCH_FORM=json). Credentials come from LC_BENCH_CLIENT_ID,
-- LC_BENCH_CLIENT_SECRET and LC_BENCH_MODULE_SECRET; the photo from
-- LC_BENCH_IMAGE. done() prints the figures http_bench.sh reads.

local threads = {}
local counter = 0
local form = os.getenv("LC_BENCH_FORM") or "multipart"
local boundary = "----livecheckbench7d91c3"
local head, tail

local function b64(data)
  local abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local s1 = math.floor(n / 262144) % 64
    local s2 = math.floor(n / 4096) % 64
    local s3 = math.floor(n / 64) % 64
    local s4 = n % 64
    out[#out + 1] = abc:sub(s1 + 1, s1 + 1) .. abc:sub(s2 + 1, s2 + 1) ..
      (b and abc:sub(s3 + 1, s3 + 1) or "=") .. (c and abc:sub(s4 + 1, s4 + 1) or "=")
  end
  return table.concat(out)
end

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  local f = assert(io.open(os.getenv("LC_BENCH_IMAGE"), "rb"))
  local img = f:read("*a")
  f:close()
  wrk.method = "POST"
  wrk.headers["client_id"] = os.getenv("LC_BENCH_CLIENT_ID")
  wrk.headers["client_secret"] = os.getenv("LC_BENCH_CLIENT_SECRET")
  wrk.headers["module_secret"] = os.getenv("LC_BENCH_MODULE_SECRET")
  if form == "json" then
    wrk.headers["Content-Type"] = "application/json"
    head = '{"reference_id": "'
    tail = '", "consent": true, "purpose": "for bank verification only", ' ..
      '"image": "' .. b64(img) .. '"}'
  else
    wrk.headers["Content-Type"] = "multipart/form-data; boundary=" .. boundary
    head = "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="reference_id"\r\n\r\n'
    tail = "\r\n--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="consent"\r\n\r\ntrue\r\n' ..
      "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="purpose"\r\n\r\nfor bank verification only\r\n' ..
      "--" .. boundary .. "\r\n" ..
      'Content-Disposition: form-data; name="image"; filename="selfie.jpg"\r\n' ..
      "Content-Type: image/jpeg\r\n\r\n" .. img .. "\r\n--" .. boundary .. "--\r\n"
  end
  stamp = tostring(os.time())
end

function request()
  counter = counter + 1
  local ref = "bench-" .. stamp .. "-" .. id .. "-" .. counter
  return wrk.format(nil, nil, nil, head .. ref .. tail)
end

function response(status, headers, body)
  if status ~= 200 then
    bad = (bad or 0) + 1
    if not first_bad then first_bad = status .. " " .. body:sub(1, 200) end
  end
end

function done(summary, latency, requests)
  local non200 = 0
  for _, t in ipairs(threads) do
    non200 = non200 + (t:get("bad") or 0)
    local fb = t:get("first_bad")
    if fb then io.write("first_non200 ", fb, "\n") end
  end
  local secs = summary.duration / 1e6
  io.write(string.format("requests %d\n", summary.requests))
  io.write(string.format("seconds %.2f\n", secs))
  io.write(string.format("rps %.1f\n", summary.requests / secs))
  io.write(string.format("p50_ms %.1f\n", latency:percentile(50) / 1000))
  io.write(string.format("p90_ms %.1f\n", latency:percentile(90) / 1000))
  io.write(string.format("p99_ms %.1f\n", latency:percentile(99) / 1000))
  io.write(string.format("max_ms %.1f\n", latency.max / 1000))
  io.write(string.format("non200 %d\n", non200))
  io.write(string.format("socket_errors %d\n", summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
