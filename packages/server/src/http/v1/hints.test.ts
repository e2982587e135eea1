import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { renderV1Hint } from './hints.ts';

const request = (params: Record<string, string>) => ({ params }) as unknown as FastifyRequest;

describe('v1 hints', () => {
  it('words a core hint as the v1 request that does it', () => {
    expect(
      renderV1Hint({ operation: 'replaceSetting', cloudId: 'cld_1' }, request({ a: 'acc_1', id: 'mci_1' })),
    ).toBe('PUT /v1/accounts/acc_1/mcis/mci_1/settings/cld_1');
  });

  it('leaves unknown operations unrendered', () => {
    expect(renderV1Hint({ operation: 'launch' }, request({}))).toBeUndefined();
  });
});
