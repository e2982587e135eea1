import { Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { StateBadge } from '../../ui/StateBadge.tsx';
import { Empty } from '../../ui/States.tsx';
import { useRemoveSetting, type Mci } from './queries.ts';

/** An MCI's settings, one row per cloud; on an editable HEAD each can be replaced or removed. */
export function CloudGrid({
  mci,
  editable,
  onReplace,
}: {
  mci: Mci;
  editable: boolean;
  onReplace(cloudId: string): void;
}) {
  const remove = useRemoveSetting(mci.id);
  if (mci.settings.length === 0) return <Empty>No clouds yet: add the image to launch in each cloud.</Empty>;
  return (
    <Stack>
      {remove.error && <ProblemAlert error={remove.error} />}
      <Table aria-label="Cloud grid" striped>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Cloud</Table.Th>
            <Table.Th>Image</Table.Th>
            <Table.Th>Instance type</Table.Th>
            <Table.Th>Arch / OS</Table.Th>
            <Table.Th>User data</Table.Th>
            <Table.Th />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {mci.settings.map((s) => (
            <Table.Tr key={s.cloudId}>
              <Table.Td>{s.cloudName}</Table.Td>
              <Table.Td>
                <Text size="sm">{s.imageName}</Text>
                <Text size="xs" ff="monospace" c="dimmed">
                  {s.imageResourceUid}
                </Text>
                {s.imageState !== 'available' && <StateBadge state={s.imageState} />}
              </Table.Td>
              <Table.Td>{s.instanceTypeName}</Table.Td>
              <Table.Td>
                {s.cpuArchitecture} · {s.osFamily} {s.osVersion}
              </Table.Td>
              <Table.Td>
                {s.userData ? <Badge variant="light">{s.userData.length} bytes</Badge> : '—'}
              </Table.Td>
              <Table.Td>
                {editable && (
                  <Group gap={4} wrap="nowrap">
                    <Button
                      size="xs"
                      variant="subtle"
                      onClick={() => onReplace(s.cloudId)}
                      aria-label={`Replace ${s.cloudName}`}
                    >
                      Replace
                    </Button>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => remove.mutate(s.cloudId)}
                      aria-label={`Remove ${s.cloudName}`}
                    >
                      Remove
                    </Button>
                  </Group>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Stack>
  );
}
