import { Alert, Badge, Code, Group, Stack, Table, Text } from '@mantine/core';
import type { Schemas } from '../../api.ts';

type Preflight = Schemas['Preflight'];
type Cell = Preflight['matrix'][number];

const REASONS: Record<string, string> = {
  private_not_shared: 'private, not shared',
  unavailable: 'unavailable',
  deprecated: 'deprecated',
};

function CellBadge({ cell }: { cell: Cell | undefined }) {
  if (!cell) return <Text c="dimmed">—</Text>;
  if (!cell.usable) {
    return (
      <Badge color="red" variant="light" title={cell.reason ?? undefined}>
        {REASONS[cell.reason ?? ''] ?? cell.reason ?? 'not usable'}
      </Badge>
    );
  }
  if (cell.reason === 'deprecated') {
    return (
      <Badge color="yellow" variant="light">
        usable · deprecated
      </Badge>
    );
  }
  return (
    <Badge color="green" variant="light">
      usable
    </Badge>
  );
}

/**
 * R-GRP-2 at a glance: one row per referenced image, one column per receiving account, each cell
 * saying whether that account can launch that image, and the server's warnings below.
 */
export function PreflightMatrix({ preflight }: { preflight: Preflight }) {
  const cells = new Map(preflight.matrix.map((c) => [`${c.imageId}/${c.accountId}`, c]));
  return (
    <Stack gap="sm" data-testid="preflight">
      <Group gap="xs">
        <Text size="sm" fw={500}>
          Launchability preflight
        </Text>
        {preflight.ok ? (
          <Badge color="green">every receiving account can launch every image</Badge>
        ) : (
          <Badge color="red">
            {preflight.gaps} gap{preflight.gaps === 1 ? '' : 's'}
          </Badge>
        )}
        <Text size="sm" c="dimmed">
          {preflight.images.length} image{preflight.images.length === 1 ? '' : 's'} ·{' '}
          {preflight.visibility === 'public'
            ? 'public: every account may import'
            : `${preflight.receivingAccounts.length} receiving account${preflight.receivingAccounts.length === 1 ? '' : 's'}`}
        </Text>
      </Group>
      <Table.ScrollContainer minWidth={500}>
        <Table aria-label="Preflight matrix" withTableBorder withColumnBorders>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Image</Table.Th>
              {preflight.receivingAccounts.map((a) => (
                <Table.Th key={a.id}>{a.name}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {preflight.images.map((image) => (
              <Table.Tr key={image.imageId}>
                <Table.Td>
                  <Text size="sm">{image.cloudName}</Text>
                  <Group gap={6}>
                    <Text size="xs" ff="monospace" c="dimmed">
                      {image.resourceUid}
                    </Text>
                    <Badge
                      size="xs"
                      variant="outline"
                      color={image.visibility === 'private' ? 'grape' : 'gray'}
                    >
                      {image.visibility}
                    </Badge>
                    {image.state !== 'available' && (
                      <Badge
                        size="xs"
                        variant="outline"
                        color={image.state === 'deprecated' ? 'yellow' : 'red'}
                      >
                        {image.state}
                      </Badge>
                    )}
                    {image.visibility === 'private' && (
                      <Badge
                        size="xs"
                        variant="dot"
                        color={image.source === 'cloud' ? 'blue' : 'gray'}
                        title="Where the launch permissions came from"
                      >
                        {image.source === 'cloud' ? 'asked the cloud' : "catalog's copy"}
                      </Badge>
                    )}
                  </Group>
                  {image.note && (
                    <Text size="xs" c="dimmed" data-testid="preflight-note">
                      {image.note}
                    </Text>
                  )}
                  {image.unknownPrincipals.length > 0 && (
                    <Text size="xs" c="dimmed">
                      unknown principals: {image.unknownPrincipals.join(', ')}
                    </Text>
                  )}
                </Table.Td>
                {preflight.receivingAccounts.map((a) => (
                  <Table.Td key={a.id} aria-label={`${image.resourceUid} for ${a.name}`}>
                    <CellBadge cell={cells.get(`${image.imageId}/${a.id}`)} />
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {preflight.receivingAccounts.length === 0 && preflight.visibility === 'groups' && (
        <Text size="sm" c="dimmed">
          The chosen groups have no member accounts yet.
        </Text>
      )}
      {preflight.warnings.length > 0 && (
        <Alert color="yellow" title="Warnings" data-testid="preflight-warnings">
          <Stack gap={4}>
            {preflight.warnings.map((w) => (
              <Text key={`${w.code}${w.imageId ?? ''}${w.accountId ?? ''}`} size="sm">
                <Code>{w.code}</Code> {w.message}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
    </Stack>
  );
}
