import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { useSupportedClouds, type Template } from './queries.ts';

/** R-ST-3: the clouds the template supports and which MCI a new server there would use. */
export function SupportedClouds({ template }: { template: Template }) {
  const clouds = useSupportedClouds(template.id);
  if (clouds.error) return <ProblemAlert error={clouds.error} />;
  if (!clouds.data) return <Loading what="clouds" />;
  if (clouds.data.length === 0) return <Empty>No cloud yet: the linked MCIs have no settings.</Empty>;
  const byMci = new Map(template.links.map((l) => [l.mciId, l]));
  const mciLabel = (mciId: string) => {
    const l = byMci.get(mciId);
    return l ? `${l.mciName} ${revisionLabel(l.mciRevision)}` : mciId;
  };
  return (
    <Table aria-label="Supported clouds" striped>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Cloud</Table.Th>
          <Table.Th>Served by</Table.Th>
          <Table.Th>Covered by</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {clouds.data.map((c) => (
          <Table.Tr key={c.cloudId}>
            <Table.Td>{c.cloudName}</Table.Td>
            <Table.Td>
              <Group gap={6}>
                <Anchor component={Link} to={`/mcis/${c.mciId}`}>
                  {mciLabel(c.mciId)}
                </Anchor>
                {byMci.get(c.mciId)?.isDefault && (
                  <Badge size="xs" color="teal" variant="light">
                    default
                  </Badge>
                )}
              </Group>
            </Table.Td>
            <Table.Td>
              <Text size="sm" c={c.coveredBy.length > 1 ? undefined : 'dimmed'}>
                {c.coveredBy.map(mciLabel).join(', ')}
              </Text>
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}
