-- wrk script for scripts/bench-hotline: replays prepared, signed requests, each once.
--
--   wrk -t2 -c32 -d30s --latency -s scripts/bench/hotline.lua http://127.0.0.1:PORT \
--       -- REQUESTS_FILE THREADS CONTENT_TYPE once|cycle
--
-- REQUESTS_FILE holds one request a line, `<X-Twilio-Signature>\t<path?query>\t<body>`
-- (written by the hotline_requests example). THREADS must equal wrk's -t. Thread k (from 0,
-- numbered by setup()) keeps, in its init(), only lines k, k + THREADS, k + 2 * THREADS, ...
--
-- once:  every request is sent at most once. A thread that runs out counts it in
--        `exhausted`, sends GET /healthz instead (never a signed request twice) and stops;
--        the figures of that run are then not valid, and scripts/bench-hotline says so.
-- cycle: a thread that runs out starts its share again and counts `repeated` (for the bare
--        baseline, which checks nothing, so a repeat costs it the same).
--
-- done() prints one line for scripts/bench-hotline:
--   wrk_result requests=N duration_us=N connect=N read=N write=N status=N timeout=N
--     p50_us=N p99_us=N p999_us=N max_us=N prepared=N taken=N exhausted=N repeated=N
--     load_ms=N
--
-- The start barrier: wrk runs each thread's setup() and init() on its main thread and starts
-- that thread as soon as its init() returns, then goes on to the next thread's init(); its
-- clock starts after the last one. Left alone, the first thread would send requests, counted
-- but not timed, while the others load their shares (about 2 s a million lines here).
-- So the last thread's init() creates REQUESTS_FILE.ready and every thread's first request()
-- waits for it. wrk also calls request() once on the first thread, on its main thread,
-- before any thread runs, to check the request's syntax: that call must not wait, and that
-- request is taken but never sent.

local ffi = require("ffi") -- wrk embeds LuaJIT
ffi.cdef([[
typedef struct { long sec; long nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *out);
int poll(void *fds, unsigned long nfds, int timeout_ms);
]])
local timespec = ffi.new("bench_timespec")
local function now_ms()
   ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
   return tonumber(timespec.sec) * 1000 + tonumber(timespec.nsec) / 1e6
end

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

local file, nthreads, content_type, mode, ready_file
local formatted = {}
-- Globals, so that done() can read them through thread:get().
prepared, taken, exhausted, repeated, load_ms = 0, 0, 0, 0, 0

-- Keeps this thread's requests, each formatted whole when loaded, so that sending one
-- allocates nothing: a run makes no garbage and LuaJIT's collector never runs while the clock
-- does. (Formatted as they were sent, a request per call made four strings; with a million
-- requests held, the collector's passes and the string table's resizes then stalled both
-- threads for 100-350 ms at a time, which wrk counted as the server's latency.)
local function load()
   local started = now_ms()
   local n, line_no = 0, 0
   for line in io.lines(file) do
      if line_no % nthreads == id then
         local a = line:find("\t", 1, true)
         local b = a and line:find("\t", a + 1, true)
         if not b then
            error(file .. ":" .. (line_no + 1) .. ": expected signature<TAB>path<TAB>body")
         end
         n = n + 1
         formatted[n] = wrk.format("POST", line:sub(a + 1, b - 1), {
            ["Content-Type"] = content_type,
            ["X-Twilio-Signature"] = line:sub(1, a - 1),
         }, line:sub(b + 1))
      end
      line_no = line_no + 1
   end
   prepared = n
   collectgarbage("collect")
   collectgarbage("stop")
   load_ms = math.floor(now_ms() - started)
end

function init(args)
   -- args[0] is the URL; what follows `--` on wrk's command line starts at args[1].
   file, nthreads, content_type, mode = args[1], tonumber(args[2]), args[3], args[4]
   if not (file and nthreads and content_type and (mode == "once" or mode == "cycle")) then
      error("usage: -- REQUESTS_FILE THREADS CONTENT_TYPE once|cycle")
   end
   if id >= nthreads then
      error("THREADS (" .. nthreads .. ") must equal wrk's -t")
   end
   ready_file = file .. ".ready"
   if id == 0 then
      os.remove(ready_file)
   end
   load()
   if id == nthreads - 1 then
      assert(io.open(ready_file, "w")):close()
   end
end

local calls = 0

-- Waits (a millisecond at a time, two minutes at most) until every thread has loaded.
local function wait_for_all()
   for _ = 1, 120000 do
      local f = io.open(ready_file, "r")
      if f then
         f:close()
         return
      end
      ffi.C.poll(nil, 0, 1)
   end
   error("the other wrk threads never finished loading (is THREADS wrk's -t?)")
end

local next_index = 1

function request()
   calls = calls + 1
   if calls == 1 and id ~= 0 or calls == 2 and id == 0 then
      wait_for_all()
   end
   if next_index > prepared then
      if mode == "once" then
         exhausted = exhausted + 1
         wrk.thread:stop()
         return wrk.format("GET", "/healthz")
      end
      repeated = repeated + prepared
      next_index = 1
   end
   local i = next_index
   next_index = next_index + 1
   taken = taken + 1
   return formatted[i]
end

function done(summary, latency, requests)
   local total = { prepared = 0, taken = 0, exhausted = 0, repeated = 0, load_ms = 0 }
   for _, thread in ipairs(threads) do
      for key in pairs(total) do
         local value = thread:get(key) or 0
         total[key] = key == "load_ms" and math.max(total[key], value) or total[key] + value
      end
   end
   local e = summary.errors
   io.write(string.format(
      "wrk_result requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d"
         .. " p50_us=%d p99_us=%d p999_us=%d max_us=%d"
         .. " prepared=%d taken=%d exhausted=%d repeated=%d load_ms=%d\n",
      summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
      latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
      total.prepared, total.taken, total.exhausted, total.repeated, total.load_ms))
end
