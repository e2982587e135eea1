/** `HEAD` or `rN`: how a revision number reads everywhere in the dashboard. */
export function revisionLabel(revision: number): string {
  return revision === 0 ? 'HEAD' : `r${revision}`;
}
