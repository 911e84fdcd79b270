// How list finds instances: state folders under the root, and those pointed at from root/.instances.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findInstances } from '../../src/io/instance-registry.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lwaftrctl-registry-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function folder(p: string, record?: object): string {
  fs.mkdirSync(p, { recursive: true });
  if (record) fs.writeFileSync(path.join(p, 'instance.json'), JSON.stringify(record));
  return p;
}

describe('findInstances', () => {
  it('every folder of the root and every one pointed at that exists, once each, records read', () => {
    const root = folder(path.join(dir, 'root'));
    const a = folder(path.join(root, 'a'), { name: 'a', config: '/c/a.conf', stateDir: path.join(root, 'a') });
    folder(path.join(root, 'b'));
    const elsewhere = folder(path.join(dir, 'elsewhere', 'c'), { name: 'c', config: '/c/c.conf', stateDir: 'x' });
    const pointers = folder(path.join(root, '.instances'));
    fs.writeFileSync(path.join(pointers, 'c-1.json'), JSON.stringify({ stateDir: elsewhere }));
    fs.writeFileSync(path.join(pointers, 'a-2.json'), JSON.stringify({ stateDir: a }));
    fs.writeFileSync(path.join(pointers, 'gone-3.json'), JSON.stringify({ stateDir: path.join(dir, 'gone') }));
    fs.writeFileSync(path.join(pointers, 'junk.json'), '{');
    const found = findInstances(root);
    expect(found.map((f) => [path.relative(dir, f.stateDir), f.record?.name ?? null])).toEqual([
      ['elsewhere/c', 'c'],
      ['root/a', 'a'],
      ['root/b', null],
    ]);
    expect(found[1]!.record).toEqual({ name: 'a', config: '/c/a.conf', stateDir: a, recordedAt: '' });
  });

  it('no root folder: nothing', () => {
    expect(findInstances(path.join(dir, 'none'))).toEqual([]);
  });
});
