// Ends a test run with one plain line, "N passed, N failed, N skipped", which CI systems that
// do not know vitest's own summary can read; a test file that could not even be loaded (a
// syntax error) is counted too, since its tests never ran.
import type { Reporter, TestModule } from 'vitest/node';

export default class PlainSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    let unloaded = 0;
    for (const module of testModules) {
      if (module.errors().length > 0) unloaded++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed++;
        else if (state === 'failed') count.failed++;
        else count.skipped++;
      }
    }
    const files = unloaded ? `, ${unloaded} test file${unloaded === 1 ? '' : 's'} failed to load` : '';
    process.stdout.write(`${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped${files}\n`);
  }
}
