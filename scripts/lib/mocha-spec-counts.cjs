// Mocha reporter: the usual `spec` output, plus the counts written as JSON to the file named by
// BREAKGLASS_MOCHA_COUNTS (read by scripts/test.mjs).
'use strict';
const fs = require('node:fs');
const Mocha = require('mocha');

class SpecWithCounts extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once('end', () => {
      const file = process.env.BREAKGLASS_MOCHA_COUNTS;
      if (!file) return;
      const s = this.stats;
      fs.writeFileSync(file, JSON.stringify({ passed: s.passes, failed: s.failures, pending: s.pending, tests: s.tests }));
    });
  }
}

module.exports = SpecWithCounts;
