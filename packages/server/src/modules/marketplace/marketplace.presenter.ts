import type { Principal } from '@mci/core';
import { presentRevision } from '../revision/revision.presenter.ts';
import type { ImportResult } from './import.service.ts';

/** An import as the v1 API answers it: the copied revision as a read shows it, and what came along. */
export function presentImport(principal: Principal, accountId: string, result: ImportResult) {
  const { created, importedMcis } = result;
  return result.kind === 'mci'
    ? {
        ...presentRevision('mci', principal, accountId, result.revision),
        kind: 'mci' as const,
        created,
        importedMcis,
      }
    : {
        ...presentRevision('server_template', principal, accountId, result.revision),
        kind: 'server_template' as const,
        created,
        importedMcis,
      };
}

/** Where the v1 API reads an imported revision. */
export function importLocation(accountId: string, result: ImportResult): string {
  const path = result.kind === 'mci' ? 'mcis' : 'server-templates';
  return `/v1/accounts/${accountId}/${path}/${result.revision.id}`;
}
