-- POST /consent as a first-time visitor's browser: a form body, same origin.
wrk.method = "POST"
wrk.body = "action=accept_all&return_to=%2F"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "@ORIGIN@"
wrk.headers["User-Agent"] = "wrk"
