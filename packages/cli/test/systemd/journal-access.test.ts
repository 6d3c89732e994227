import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { journalAccessProblem } from '../../src/systemd/journal-access.ts';

const GROUPS = 'root:x:0:\nadm:x:4:syslog\nsystemd-journal:x:999:\nvigil:x:990:alice\n';

describe('who may read the journal (`vigil logs` under systemd)', () => {
  test('an operator only in group vigil is told which group to join', () => {
    const problem = journalAccessProblem(1000, [1000, 990], GROUPS);
    assert.ok(problem);
    assert.match(problem, /systemd-journal/);
    assert.match(problem, /usermod -aG systemd-journal/);
  });

  test('root and members of systemd-journal or adm can read it', () => {
    assert.equal(journalAccessProblem(0, [0], GROUPS), undefined);
    assert.equal(journalAccessProblem(1000, [990, 999], GROUPS), undefined);
    assert.equal(journalAccessProblem(1000, [4], GROUPS), undefined);
  });

  test('a host without those groups still gets the advice', () => {
    assert.match(journalAccessProblem(1000, [990], 'vigil:x:990:\n') ?? '', /systemd-journal/);
  });
});
