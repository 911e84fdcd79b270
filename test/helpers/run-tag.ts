// Each test run's own instance names and ports: several checkouts may run their lab suites on
// one machine at once, and a test touches only instances it made. The tag and the port base are
// drawn once per run (test/helpers/global-setup.ts) and handed to every test file.

const TAG = process.env.LWAFTRCTL_TEST_TAG ?? '';
const PORT_BASE = Number(process.env.LWAFTRCTL_TEST_PORT_BASE ?? 10000);

/** A test's instance name, made this run's own. */
export function testName(name: string): string {
  return `${name}${TAG}`;
}

/** A test's port (written 10000 + n in the test), moved into this run's block of 100. */
export function testPort(port: number): number {
  return PORT_BASE + (port % 100);
}
