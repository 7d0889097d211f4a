/**
 * Test order for a machine that has not run the suite before (CI's fresh clone): jest then orders files by size, and
 * the files that synthesize whole apps with every compliance check are small (the environment shards are three lines),
 * so they would start last and leave one of the two workers idle at the end. Here they start first, heaviest first;
 * the rest keep jest's order. Once this machine has timings of an earlier run, jest's own order (failed first, then
 * slowest first) is kept as it is.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/** Files (or folders) under test/, slowest first, from the timings of a full run on two cores. */
const HEAVY_FIRST = [
  'lib/environments/',
  'lib/app-compliance.test.ts',
  'constructs/inference-gateway/inference-gateway.test.ts',
  'lib/gateway-stack.test.ts',
  'constructs/security-monitoring/security-monitoring.test.ts',
  'constructs/inference-gateway/federation.test.ts',
  'constructs/invocation-logging/invocation-logging.test.ts',
  'lib/alert-destination.test.ts',
  'lib/compliance/scoped-cfn-guard.test.ts',
];

class HeavyFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((t) => t.duration != null)) {
      return sorted;
    }
    const root = path.join(__dirname, path.sep);
    const rank = (t) => {
      const rel = path.relative(root, t.path).split(path.sep).join('/');
      const i = HEAVY_FIRST.findIndex((h) => rel.startsWith(h));
      return i < 0 ? HEAVY_FIRST.length : i;
    };
    // Array sort is stable: files of equal rank keep jest's order.
    return [...sorted].sort((a, b) => rank(a) - rank(b));
  }
}

module.exports = HeavyFirstSequencer;
