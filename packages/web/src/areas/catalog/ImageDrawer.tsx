import { Alert, Anchor, Badge, Drawer, Group, List, Stack, Table, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { StateBadge } from '../../ui/StateBadge.tsx';
import { Loading } from '../../ui/States.tsx';
import { useAccountId } from '../session/session.tsx';
import { stateReason, useImageImpact, type ImageImpact } from './impact.ts';
import type { Image } from './queries.ts';

const rev = (revision: number) => (revision === 0 ? 'HEAD' : `r${revision}`);

/** R-CLD-5: the items an image change hits, those of this account as links. */
function ImpactLists({ impact, label }: { impact: ImageImpact; label: string }) {
  const a = useAccountId();
  const own = (accountId: string) => accountId === a;
  const total =
    impact.mcis.length + impact.templates.length + impact.servers.length + impact.publications.length;
  if (total === 0 && impact.hiddenCount === 0) {
    return (
      <Text size="sm" c="dimmed">
        Nothing references this image.
      </Text>
    );
  }
  return (
    <Stack gap={6} aria-label={label}>
      {impact.mcis.length > 0 && (
        <div>
          <Text size="sm" fw={500}>
            MCI revisions ({impact.mcis.length})
          </Text>
          <List size="sm">
            {impact.mcis.map((m) => (
              <List.Item key={m.id}>
                {own(m.accountId) ? (
                  <Anchor component={Link} to={`/mcis/${m.id}`}>
                    {m.name} {rev(m.revision)}
                  </Anchor>
                ) : (
                  `${m.name} ${rev(m.revision)}`
                )}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {impact.templates.length > 0 && (
        <div>
          <Text size="sm" fw={500}>
            ServerTemplate revisions ({impact.templates.length})
          </Text>
          <List size="sm">
            {impact.templates.map((t) => (
              <List.Item key={t.id}>
                {own(t.accountId) ? (
                  <Anchor component={Link} to={`/templates/${t.id}`}>
                    {t.name} {rev(t.revision)}
                  </Anchor>
                ) : (
                  `${t.name} ${rev(t.revision)}`
                )}
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {impact.servers.length > 0 && (
        <div>
          <Text size="sm" fw={500}>
            Servers ({impact.servers.length})
          </Text>
          <List size="sm">
            {impact.servers.map((s) => (
              <List.Item key={s.id}>
                {own(s.accountId) ? (
                  <Anchor component={Link} to={`/deployments/${s.deploymentId}/servers/${s.id}`}>
                    {s.name}
                  </Anchor>
                ) : (
                  s.name
                )}{' '}
                <Text span size="xs" c="dimmed">
                  {s.state} ·{' '}
                  {[s.running && 'runs it now', s.next && 'next launch'].filter(Boolean).join(', ')}
                </Text>
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {impact.publications.length > 0 && (
        <div>
          <Text size="sm" fw={500}>
            Publications ({impact.publications.length})
          </Text>
          <List size="sm">
            {impact.publications.map((p) => (
              <List.Item key={p.id}>
                {p.name} {rev(p.revision)}{' '}
                <Text span size="xs" c="dimmed">
                  {p.visibility} · {p.state}
                </Text>
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {impact.hiddenCount > 0 && (
        <Text size="sm" c="dimmed" data-testid="impact-hidden">
          and {impact.hiddenCount} item{impact.hiddenCount === 1 ? '' : 's'} of other accounts
        </Text>
      )}
    </Stack>
  );
}

/** One image of the catalog: its state and why, what uses it now, and its recorded changes. */
export function ImageDrawer({ image, onClose }: { image: Image | null; onClose(): void }) {
  const report = useImageImpact(image?.cloudId ?? null, image?.id ?? null);
  const data = report.data;
  const reason = data ? stateReason(data.image) : null;
  return (
    <Drawer
      opened={image !== null}
      onClose={onClose}
      position="right"
      size="lg"
      title={image ? `Image ${image.name}` : ''}
    >
      {image && (
        <Stack data-testid="image-drawer">
          <Group gap="xs">
            <Text ff="monospace" size="sm">
              {image.resourceUid}
            </Text>
            <StateBadge state={data?.image.state ?? image.state} />
            <Badge variant="outline" color={image.visibility === 'private' ? 'grape' : 'gray'}>
              {image.visibility}
            </Badge>
          </Group>
          {reason && (
            <Alert
              color={data!.image.state === 'unavailable' ? 'red' : 'yellow'}
              title="State"
              data-testid="image-state"
            >
              {reason}
            </Alert>
          )}
          {report.error && <ProblemAlert error={report.error} />}
          {report.isPending ? (
            <Loading what="the impact" />
          ) : (
            data && (
              <>
                <Title order={4}>Used by now</Title>
                <ImpactLists impact={data.current} label="Current impact" />
                <Title order={4}>Changes</Title>
                {data.changes.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    No change to deprecated or unavailable recorded.
                  </Text>
                ) : (
                  <Table aria-label="Image changes">
                    <Table.Thead>
                      <Table.Tr>
                        <Table.Th>When</Table.Th>
                        <Table.Th>Change</Table.Th>
                        <Table.Th>Reason</Table.Th>
                        <Table.Th>Hit</Table.Th>
                      </Table.Tr>
                    </Table.Thead>
                    <Table.Tbody>
                      {data.changes.map((c) => {
                        const i = c.impact;
                        return (
                          <Table.Tr key={c.id}>
                            <Table.Td>{new Date(c.at).toLocaleString()}</Table.Td>
                            <Table.Td>
                              {c.fromState} → <StateBadge state={c.toState} />
                            </Table.Td>
                            <Table.Td>{c.reason}</Table.Td>
                            <Table.Td>
                              <Text size="xs">
                                {i.mcis.length} MCI · {i.templates.length} template · {i.servers.length}{' '}
                                server · {i.publications.length} publication
                                {i.hiddenCount > 0 ? ` · +${i.hiddenCount} other` : ''}
                              </Text>
                            </Table.Td>
                          </Table.Tr>
                        );
                      })}
                    </Table.Tbody>
                  </Table>
                )}
              </>
            )
          )}
        </Stack>
      )}
    </Drawer>
  );
}
