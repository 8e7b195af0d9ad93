-- wrk script: POST the file named by $BODY to the URL given on the command line.
wrk.method = "POST"
wrk.headers["Content-Type"] = "text/plain"
local f = assert(io.open(os.getenv("BODY"), "rb"))
wrk.body = f:read("*a")
f:close()
