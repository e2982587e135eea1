import type { FastifyRequest } from 'fastify';

/**
 * How v1 words the hints core attaches to refusals (`details.hint = {operation, …}`), so core
 * never names a route: each operation becomes the v1 request that does it.
 */
const V1_HINTS: Record<string, (p: Record<string, string>, hint: Record<string, unknown>) => string> = {
  replaceSetting: (p, hint) => `PUT /v1/accounts/${p.a}/mcis/${p.id}/settings/${String(hint.cloudId)}`,
  makeDefault: (p) => `POST /v1/accounts/${p.a}/server-templates/${p.id}/mcis/{linkId}/make-default`,
};

export function renderV1Hint(hint: Record<string, unknown>, request: FastifyRequest): string | undefined {
  const render = typeof hint.operation === 'string' ? V1_HINTS[hint.operation] : undefined;
  return render?.((request.params ?? {}) as Record<string, string>, hint);
}
