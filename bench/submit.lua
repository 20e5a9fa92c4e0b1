-- wrk script for bench/submit.py: POST one JSON body, with an Idempotency-Key that never repeats.
--
--   wrk ... -s bench/submit.lua URL -- <body file> <key prefix>
--
-- The key is "<prefix>-t<thread id>-<per-thread counter>": the prefix is unique per run, the
-- thread id per wrk thread and the counter per request, so no two requests share a key (a
-- reconnect after the server closed the connection builds a new request, with a new key).
-- done() prints one "BENCH-RESULT {json}" line with the exact counts and the HTTP statuses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

function init(args)
  local file = assert(io.open(args[1], "rb"), "cannot open the body file")
  wrk.method = "POST"
  wrk.body = file:read("*a")
  file:close()
  wrk.headers["Content-Type"] = "application/json"
  wrk.headers["Accept"] = "application/json"
  key_prefix = string.format("%s-t%d-", args[2], thread_id)
  sent = 0
  statuses = {}
end

function request()
  sent = sent + 1
  wrk.headers["Idempotency-Key"] = key_prefix .. sent
  return wrk.format()
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  local sent_total = 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + count
    end
    sent_total = sent_total + thread:get("sent")
  end
  local parts = {}
  for status, count in pairs(counts) do
    parts[#parts + 1] = string.format('"%s":%d', status, count)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH-RESULT {"requests":%d,"sent":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f},"statuses":{%s}}\n',
    summary.requests, sent_total, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    table.concat(parts, ",")))
end
