import { Table } from '@mantine/core';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useMciUsage } from './queries.ts';

/** The templates and servers that use each revision of the MCI's lineage. */
export function MciUsage({ id }: { id: string }) {
  const usage = useMciUsage(id);
  if (usage.error) return <ProblemAlert error={usage.error} />;
  if (!usage.data) return <Loading what="usage" />;
  const used = usage.data.revisions.filter((r) => r.templates.length + r.servers.length > 0);
  if (used.length === 0) return <Empty>No template or server uses this MCI.</Empty>;
  return (
    <Table aria-label="Usage">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Revision</Table.Th>
          <Table.Th>Templates</Table.Th>
          <Table.Th>Servers</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {used.map((r) => (
          <Table.Tr key={r.mciId}>
            <Table.Td>{revisionLabel(r.revision)}</Table.Td>
            <Table.Td>{r.templates.map((t) => `${t.name} r${t.revision}`).join(', ')}</Table.Td>
            <Table.Td>{r.servers.map((s) => s.name).join(', ')}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
