import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../../testing/harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.close());

describe('the superuser naming an account that does not exist', () => {
  it('gets a 404 for that account on every kind of write, with no database text', async () => {
    const missing = 'acc_doesnotexist';
    const writes: [string, unknown][] = [
      ['/mcis', { name: 'x' }],
      ['/server-templates', { name: 'x' }],
      ['/deployments', { name: 'x' }],
      ['/account-groups', { name: 'x' }],
    ];
    for (const [path, body] of writes) {
      const res = await h.call('POST', `/v1/accounts/${missing}${path}`, { body });
      expect(res.statusCode, path).toBe(404);
      expect(res.data, path).toMatchObject({ code: 'not_found', resource: 'account', id: missing });
      expect(res.body, path).not.toMatch(/violates|constraint|Key \(/);
    }
  });
});
