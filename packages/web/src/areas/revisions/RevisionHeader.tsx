import { Badge, Group, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { revisionLabel } from '../../ui/labels.ts';
import { allows, type Revision } from './revision.ts';

/** A revision's name, where it stands in its lineage (HEAD or committed, based on, imported) and its buttons. */
export function RevisionHeader({ revision: r, children }: { revision: Revision; children?: ReactNode }) {
  const state =
    r.revision === 0
      ? `HEAD (${allows(r, 'edit') ? 'editable' : 'read-only'})`
      : `revision ${r.revision} (committed, read-only)`;
  return (
    <Group justify="space-between" align="flex-start">
      <div>
        <Group gap="xs">
          <Title order={2}>{r.name}</Title>
          <Badge variant="light" color={r.revision === 0 ? 'blue' : 'gray'}>
            {revisionLabel(r.revision)}
          </Badge>
        </Group>
        <Text c="dimmed" size="sm" data-testid="revision-info">
          {state}
          {r.baseRevision ? ` · based on r${r.baseRevision}` : ' · never committed'}
          {r.importedFrom ? ' · imported, read-only' : ''}
        </Text>
        {r.revision > 0 && r.commitMessage && (
          <Text size="sm">
            “{r.commitMessage}”
            {r.committedAt && (
              <Text span size="xs" c="dimmed">
                {' '}
                · {new Date(r.committedAt).toLocaleString()}
              </Text>
            )}
          </Text>
        )}
        {r.description && <Text size="sm">{r.description}</Text>}
      </div>
      <Group>{children}</Group>
    </Group>
  );
}
