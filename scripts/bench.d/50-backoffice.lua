-- Sends the back-office session cookie made by `portal staff bench-session`.
wrk.headers["Cookie"] = "__Host-portal_session=" .. os.getenv("BENCH_SESSION")
