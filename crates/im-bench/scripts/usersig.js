// Times the official Node UserSig library (tls-sig-api-v2) the way bench-usersig times
// im-sig: one process, one thread, a warm-up, then a timed loop of complete generations for
// `administrator`, SDKAppID 1400000000, validity 15552000 s, with the documented example
// key. Each generation reads the clock inside the library. Prints `RESULT name=value`
// lines (CPU time is the whole process's), facts as `INFO name=value`, and one generated
// UserSig as `SAMPLE value` for checking.
//
// Usage: node usersig.js [--secs 2.5] [--warmup 0.3]
'use strict';

const TLSSigAPIv2 = require('tls-sig-api-v2');
const version = require('tls-sig-api-v2/package.json').version;

const KEY = '5bd2850fff3ecb11d7c805251c51ee463a25727bddc2385f3fa8bfee1bb93b5e';
const SDKAPPID = 1400000000;
const IDENTIFIER = 'administrator';
const EXPIRE = 15552000;
const BATCH = 100;

// The number after `--name` on the command line, or `fallback`.
function option(name, fallback) {
  const args = process.argv.slice(2);
  const index = args.indexOf('--' + name);
  return index >= 0 ? Number(args[index + 1]) : fallback;
}

function seconds() {
  return Number(process.hrtime.bigint()) / 1e9;
}

function main() {
  const secs = option('secs', 2.5);
  const warmup = option('warmup', 0.3);
  const api = new TLSSigAPIv2.Api(SDKAPPID, KEY);

  const warmUntil = seconds() + warmup;
  while (seconds() < warmUntil) {
    for (let i = 0; i < BATCH; i++) {
      api.genSig(IDENTIFIER, EXPIRE);
    }
  }

  let ops = 0;
  let elapsed = 0;
  const cpuStart = process.cpuUsage();
  const start = seconds();
  for (;;) {
    for (let i = 0; i < BATCH; i++) {
      api.genSig(IDENTIFIER, EXPIRE);
    }
    ops += BATCH;
    elapsed = seconds() - start;
    if (elapsed >= secs) {
      break;
    }
  }
  // User and system time of the whole process (its helper threads included), in µs.
  const cpu = process.cpuUsage(cpuStart);

  console.log('INFO implementation=tls-sig-api-v2 ' + version + ' (Node)');
  console.log('INFO runtime=Node ' + process.version + ', zlib ' + process.versions.zlib);
  console.log('RESULT ops_per_sec=' + (ops / elapsed).toFixed(1));
  console.log('RESULT us_per_op=' + ((elapsed * 1e6) / ops).toFixed(3));
  console.log('RESULT cpu_us_per_op=' + ((cpu.user + cpu.system) / ops).toFixed(3));
  console.log('RESULT ops=' + ops);
  console.log('SAMPLE ' + api.genSig(IDENTIFIER, EXPIRE));
}

main();
