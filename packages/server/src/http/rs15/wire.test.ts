import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  idsOfHref,
  matchesFilters,
  parseBracketed,
  parseFilters,
  parseParams,
  rsName,
  rubyTime,
} from './wire.ts';

const catchMessage = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
};

describe('API 1.5 on the wire (R-RS)', () => {
  it('R-RS: parameters name themselves the bracketed way: missing apart from wrong', () => {
    const schema = z.object({
      server: z.object({ name: rsName(), instance: z.object({ cloud_href: z.string() }) }),
    });
    expect(catchMessage(() => parseParams(schema, { server: { name: 'a', instance: {} } }))).toBe(
      'Missing required parameter server[instance][cloud_href]',
    );
    expect(
      catchMessage(() => parseParams(schema, { server: { name: 'a', instance: { cloud_href: 7 } } })),
    ).toMatch(/^server\[instance\]\[cloud_href\]: /);
    expect(parseBracketed('server[name]=web&filter[]=a==b&filter[]=c<>d')).toEqual({
      server: { name: 'web' },
      filter: ['a==b', 'c<>d'],
    });
  });

  it('R-RS: filters match exactly or partially (case-insensitive), and <> negates', () => {
    const filters = parseFilters(
      { filter: ['name==WEB', 'revision<>0'] },
      { name: { partial: true }, revision: {} },
    );
    expect(matchesFilters(filters, (f) => (f === 'name' ? 'my web server' : 1))).toBe(true);
    expect(matchesFilters(filters, (f) => (f === 'name' ? 'my web server' : 0))).toBe(false);
    expect(catchMessage(() => parseFilters({ filter: ['name=web'] }, { name: {} }))).toMatch(/field==value/);
  });

  it('R-RS: timestamps are Ruby’s, hrefs absolute or host-relative', () => {
    expect(rubyTime('2019-06-07T04:51:02.123Z')).toBe('2019/06/07 04:51:02 +0000');
    expect(idsOfHref('image', 'https://h:8443/api/clouds/c1/images/i1', 'image_href')).toEqual(['c1', 'i1']);
    expect(catchMessage(() => idsOfHref('image', '/api/clouds/c1', 'image_href'))).toBe(
      'image_href must be an href like /api/clouds/:id/images/:id',
    );
  });
});
