// The results of a start, stop or restart as --json and the run-end event carry them: exactly the
// keys of schemas/action.schema.json, whatever the steps carry for the sequence itself.
import { describe, expect, it } from 'vitest';
import { stepResult } from '../../src/commands/action-command.js';
import { Report } from '../../src/commands/report.js';
import { actionSequence } from '../../src/components/sequence.js';
import { ACTIONS, COMPONENTS } from '../../src/plan/component-names.js';
import { expectDocument } from '../helpers/schemas.js';

describe('action results', () => {
  it.each(COMPONENTS.flatMap((c) => ACTIONS.map((a) => [c, a] as const)))(
    '%s %s: every step a valid result of the document',
    (component, action) => {
      const results = actionSequence(component, action).map((s) =>
        stepResult(s, s.action === 'start' ? 'started' : 'stopped', 0.5),
      );
      const report = new Report();
      report.expect(action, { component, action, results });
      expectDocument(JSON.stringify(report.document(0)), 'action');
    },
  );

  it("vm restart's start of the guest lwAFTR again (only if it was stopped) is a plain result", () => {
    const last = actionSequence('vm', 'restart').at(-1)!;
    expect(last).toMatchObject({ component: 'lwaftr', action: 'start', ifStopped: true });
    expect(stepResult(last, 'started', 1.25)).toEqual({
      component: 'lwaftr',
      action: 'start',
      result: 'started',
      seconds: 1.25,
    });
  });
});
