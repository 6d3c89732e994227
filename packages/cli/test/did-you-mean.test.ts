import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closest, didYouMean, editDistance } from '../src/did-you-mean.ts';

const COMMANDS = [
  'run',
  'start',
  'stop',
  'restart',
  'status',
  'history',
  'why',
  'logs',
  'recover',
  'pause',
  'resume',
];

describe('did you mean', () => {
  test('edit distance counts insertions, deletions, substitutions and adjacent swaps as one', () => {
    assert.equal(editDistance('status', 'status'), 0);
    assert.equal(editDistance('stauts', 'status'), 1, 'swap');
    assert.equal(editDistance('statu', 'status'), 1, 'deletion');
    assert.equal(editDistance('statuss', 'status'), 1, 'insertion');
    assert.equal(editDistance('statas', 'status'), 1, 'substitution');
    assert.equal(editDistance('', 'run'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });

  test('a close typo gets the one word meant', () => {
    assert.equal(closest('stauts', COMMANDS), 'status');
    assert.equal(closest('histroy', COMMANDS), 'history');
    assert.equal(closest('rn', COMMANDS), 'run');
    assert.equal(closest('STATUS', COMMANDS), 'status', 'case is no distance');
    assert.equal(closest('jsn', ['json', 'help']), 'json');
  });

  test('an abbreviation of exactly one word gets it; of several, none', () => {
    assert.equal(closest('hist', COMMANDS), 'history');
    assert.equal(closest('stat', COMMANDS), 'status');
    assert.equal(closest('res', COMMANDS), null, 'restart or resume');
    assert.equal(closest('st', COMMANDS), null, 'two letters abbreviate nothing');
  });

  test('nothing far-fetched and nothing ambiguous', () => {
    assert.equal(closest('frobnicate', COMMANDS), null);
    assert.equal(closest('xyz', COMMANDS), null);
    assert.equal(closest('stip', ['stop', 'step']), null, 'two words equally close');
    assert.equal(closest('anything', []), null);
  });

  test('didYouMean: a phrase to append, or nothing', () => {
    assert.equal(didYouMean('hnag', ['hang', 'leak', 'cpu']), ' (did you mean "hang"?)');
    assert.equal(didYouMean('meteor', ['hang', 'leak', 'cpu']), '');
  });
});
