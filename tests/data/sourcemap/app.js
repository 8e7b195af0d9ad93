// A small CPU-bound program for the source-map test (tests/formats/sourcemap.rs).
// make.sh minifies it with terser (names mangled, source map with `names`)
// and records a V8 CPU profile of the minified file.

function countPrimes(limit) {
  let count = 0;
  for (let n = 2; n < limit; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) {
      if (n % d === 0) {
        prime = false;
        break;
      }
    }
    if (prime) count++;
  }
  return count;
}

function fibonacciSlow(n) {
  return n < 2 ? n : fibonacciSlow(n - 1) + fibonacciSlow(n - 2);
}

function shuffleAndSortWords(seed, rounds) {
  const words = [];
  let state = seed;
  for (let i = 0; i < 2000; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    words.push(state.toString(36));
  }
  let checksum = 0;
  for (let r = 0; r < rounds; r++) {
    const copy = words.slice();
    copy.sort();
    checksum += copy[r % copy.length].length;
  }
  return checksum;
}

function runFor(millis, work) {
  const end = Date.now() + millis;
  let total = 0;
  while (Date.now() < end) total += work();
  return total;
}

function main() {
  let sink = 0;
  sink += runFor(400, () => countPrimes(20000));
  sink += runFor(400, () => fibonacciSlow(22));
  sink += runFor(400, () => shuffleAndSortWords(7, 5));
  console.log("checksum", sink);
}

main();
