import { Anchor, Badge, Button, Card, Group, Stack, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useSession } from '../session/session.tsx';
import { useImport, type Publication } from './queries.ts';

export const KINDS = [
  { value: 'mci', label: 'MultiCloud Image' },
  { value: 'server_template', label: 'ServerTemplate' },
];
export const kindLabel = (kind: string) => KINDS.find((k) => k.value === kind)?.label ?? kind;

/** Where a revision of either kind opens in the dashboard. */
export const revisionHref = (kind: Publication['kind'], id: string) =>
  kind === 'mci' ? `/mcis/${id}` : `/templates/${id}`;

/** One publication of the marketplace, with Import for the library role. */
export function MarketCard({
  publication: p,
  cloudName,
}: {
  publication: Publication;
  cloudName(id: string): string;
}) {
  const { can } = useSession();
  const importIt = useImport();
  const imported = importIt.data;
  return (
    <Card withBorder padding="lg" component="article" aria-label={p.name}>
      <Stack gap="xs" h="100%">
        <Group justify="space-between" wrap="nowrap" align="flex-start">
          <div>
            <Text fw={600}>{p.name}</Text>
            <Text size="xs" c="dimmed">
              r{p.revision} · by {p.publisherName}
            </Text>
          </div>
          <Group gap={4} wrap="nowrap">
            <Badge variant="light" color={p.kind === 'mci' ? 'blue' : 'violet'}>
              {p.kind === 'mci' ? 'MCI' : 'ServerTemplate'}
            </Badge>
            {p.visibility === 'groups' && (
              <Badge variant="outline" color="gray">
                groups
              </Badge>
            )}
          </Group>
        </Group>
        <Text size="sm">{p.shortDescription}</Text>
        {p.categories.length > 0 && (
          <Group gap={4}>
            {p.categories.map((c) => (
              <Badge key={c} size="sm" variant="dot">
                {c}
              </Badge>
            ))}
          </Group>
        )}
        <Text size="xs" c="dimmed">
          {p.cloudIds.length} cloud{p.cloudIds.length === 1 ? '' : 's'}:{' '}
          {p.cloudIds.map(cloudName).join(', ')}
        </Text>
        {can('library') && (
          <Group mt="auto" pt="xs" gap="sm">
            <Button
              size="xs"
              variant="light"
              onClick={() => importIt.mutate(p.id)}
              loading={importIt.isPending}
            >
              Import
            </Button>
            {imported && (
              <>
                <Badge color={imported.created ? 'green' : 'gray'} data-testid="import-result">
                  {imported.created ? 'imported' : 'already imported'}
                </Badge>
                <Anchor component={Link} to={revisionHref(imported.kind, imported.id)} size="sm">
                  Open the copy
                </Anchor>
              </>
            )}
          </Group>
        )}
        {importIt.error && <ProblemAlert error={importIt.error} />}
      </Stack>
    </Card>
  );
}
