#!/bin/sh
# Regenerates the data of tests/formats/sourcemap.rs from app.js:
#   app.min.js, app.min.js.map  terser 5 output (top-level names mangled,
#                               map with `names` and `sourcesContent`)
#   app.cpuprofile              V8 CPU profile of `node app.min.js`
# Needs node and npx (downloads terser@5 from npm). Run from any directory.
# The profile is a real recording, so each run differs in samples and
# timings; the test only relies on the functions app.js declares.
set -eu
cd "$(dirname "$0")"
npx --yes terser@5.51.4 app.js \
  --mangle toplevel \
  --source-map "url='app.min.js.map',includeSources" \
  --output app.min.js
rm -f app.cpuprofile
node --cpu-prof --cpu-prof-interval 200 --cpu-prof-dir . --cpu-prof-name app.cpuprofile app.min.js
# node writes `file://<absolute directory>/app.min.js`; replace the machine's
# directory with /srv/app so the file does not depend on where it was made.
node -e '
const fs = require("fs");
const dir = "file://" + process.cwd() + "/";
const p = JSON.parse(fs.readFileSync("app.cpuprofile", "utf8"));
for (const n of p.nodes) n.callFrame.url = n.callFrame.url.split(dir).join("file:///srv/app/");
fs.writeFileSync("app.cpuprofile", JSON.stringify(p));
'
