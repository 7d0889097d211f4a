/**
 * Test order for a machine that has not run the suite before (CI's fresh clone): jest then orders files by size, and
 * the files that synthesize whole apps with every compliance check are small (the environment shards are three lines),
 * so they would start last and leave one of the two workers idle at the end. Here the slowest files start first,
 * slowest first; the rest keep jest's order. Once this machine has timings of an earlier run, jest's own order (failed
 * first, then slowest first) is kept as it is.
 */
const path = require('node:path');
const Sequencer = require('@jest/test-sequencer').default;

/**
 * Files under test/, slowest first, with their time on two idle cores. Session 7 measured the 36 slowest of a full run
 * there with jest's own timings (484 s of file time in all); a fresh clone with only the first nine listed ran the
 * suite in 299 s, a second run there with jest's timings in 244 s. Session 9 took aws-cdk-lib's CloudFormation
 * validator out of eighteen construct test files that only read templates (test/helpers/validation.ts), so most of them
 * left this list; their times and the environment shards' (marked ~) are from one full run with a fresh cache on a
 * shared machine (load 6.6), divided by 2.5, the factor by which that run's unchanged files here were slower than
 * session 7's. Files not listed keep jest's order, after these.
 */
const HEAVY_FIRST = [
  'lib/environments/environments-1.test.ts', // ~36 s
  'lib/environments/environments-2.test.ts', // ~28 s
  'lib/app-compliance.test.ts', // 24 s
  'constructs/inference-gateway/inference-gateway.test.ts', // 21 s
  'lib/gateway-stack.test.ts', // 17 s
  'lib/compliance/scoped-cfn-guard.test.ts', // 13 s
  'constructs/security-monitoring/security-monitoring.test.ts', // 11 s
  'bin/sign-cli.test.ts', // 11 s
  'lib/cost.test.ts', // 8 s
  'lib/compliance/report.test.ts', // 8 s
  'lib/alert-destination.test.ts', // 8 s
  'constructs/inference-gateway/custom-model-deployment.test.ts', // 7 s
  'constructs/invocation-logging/invocation-logging.test.ts', // ~7 s (11 s before)
  'lib/baseline-stack.test.ts', // 6 s
  'lambda/shared/screening/output.test.ts', // 6 s
  'constructs/inference-gateway/federation.test.ts', // 6 s
  'constructs/model-customization/model-customization.test.ts', // ~6 s (13 s before)
  'lambda/gateway/quota.test.ts', // 5 s
  'constructs/document-ingestion/document-ingestion.test.ts', // 5 s
  'lambda/first-call.test.ts', // 5 s
  'lambda/shared/screening/prescreen.test.ts', // 5 s
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
