/** R-CLD-5: an image's blast radius, and what of it a reader may see. */

/** The parts of an impact this module needs: items owned by accounts, publications with their audience. */
export interface ImpactLike<M, T, S, P> {
  mcis: M[];
  templates: T[];
  servers: S[];
  publications: P[];
}

/** Who reads an impact: the superuser everything, others their accounts' items and visible publications. */
export interface ImpactReader {
  all: boolean;
  accounts: ReadonlySet<string>;
  /** The account groups the reader's accounts are members of. */
  groups: ReadonlySet<string>;
}

/**
 * The image states a change is recorded for (R-CLD-5): becoming deprecated or unavailable,
 * from another state. Anything else is not a change of the image's usability.
 * @rule R-CLD-5
 */
export function isImpactChange(from: string, to: string): boolean {
  return from !== to && (to === 'deprecated' || to === 'unavailable');
}

/**
 * R-CLD-5, read side: an impact as `reader` may see it. Another account's items never show
 * (not even their names); they are counted in `hiddenCount`. Publications show when public or
 * shared with one of the reader's groups.
 * @rule R-CLD-5
 */
export function visibleImpact<
  M extends { accountId: string },
  T extends { accountId: string },
  S extends { accountId: string },
  P extends { accountId: string; visibility: string; groupIds: readonly string[] },
>(impact: ImpactLike<M, T, S, P>, reader: ImpactReader): ImpactLike<M, T, S, P> & { hiddenCount: number } {
  if (reader.all) return { ...impact, hiddenCount: 0 };
  let hidden = 0;
  const keep = <I extends { accountId: string }>(items: I[], shown: (item: I) => boolean = () => false) =>
    items.filter((item) => {
      const visible = reader.accounts.has(item.accountId) || shown(item);
      if (!visible) hidden++;
      return visible;
    });
  return {
    mcis: keep(impact.mcis),
    templates: keep(impact.templates),
    servers: keep(impact.servers),
    publications: keep(
      impact.publications,
      (p) => p.visibility === 'public' || p.groupIds.some((g) => reader.groups.has(g)),
    ),
    hiddenCount: hidden,
  };
}
