import { Anchor, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { Link } from 'react-router-dom';
import { revisionLabel } from '../../ui/labels.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Empty } from '../../ui/States.tsx';
import { AddLink, LinkRevisionSelect } from './LinkControls.tsx';
import { useChangeLink, type Template, type TemplateLink } from './queries.ts';

/** Links in position order (the order R-SRV-2 falls back through). */
function byPosition(links: readonly TemplateLink[]): TemplateLink[] {
  return [...links].sort((a, b) => a.position - b.position);
}

/** A template's linked MCIs: revision, default, update notices (R-VC-3) and, on a HEAD, their edits. */
export function ImageLinks({ template, editable }: { template: Template; editable: boolean }) {
  // One mutation for every link edit: only the latest change's refusal is shown.
  const change = useChangeLink(template.id);
  const pendingDefault =
    change.isPending && change.variables.kind === 'make-default' ? change.variables.linkId : null;
  const links = byPosition(template.links);
  return (
    <Stack>
      {change.error && <ProblemAlert error={change.error} />}
      {links.length === 0 ? (
        <Empty>No MultiCloud Image linked yet: link one to give the template its clouds.</Empty>
      ) : (
        <Table aria-label="Linked MCIs" striped verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={40}>#</Table.Th>
              <Table.Th>MultiCloud Image</Table.Th>
              <Table.Th w={220}>Revision</Table.Th>
              <Table.Th>Default</Table.Th>
              <Table.Th>Updates</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {links.map((l, i) => (
              <Table.Tr key={l.id} data-testid={`link-${l.mciName}`}>
                <Table.Td>{i + 1}</Table.Td>
                <Table.Td>
                  <Anchor component={Link} to={`/mcis/${l.mciId}`}>
                    {l.mciName}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  {editable ? (
                    <LinkRevisionSelect
                      link={l}
                      onChange={(mciId) => change.mutate({ kind: 'repoint', linkId: l.id, mciId })}
                    />
                  ) : (
                    <Text size="sm">{revisionLabel(l.mciRevision)}</Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {l.isDefault ? (
                    <Badge color="teal" aria-label={`${l.mciName} is the default`}>
                      default
                    </Badge>
                  ) : editable ? (
                    <Button
                      size="xs"
                      variant="light"
                      onClick={() => change.mutate({ kind: 'make-default', linkId: l.id })}
                      loading={pendingDefault === l.id}
                      aria-label={`Make ${l.mciName} default`}
                    >
                      Make default
                    </Button>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Updates
                    link={l}
                    onUse={
                      editable && l.newerRevision
                        ? () =>
                            change.mutate({ kind: 'repoint', linkId: l.id, mciId: l.newerRevision!.mciId })
                        : undefined
                    }
                  />
                </Table.Td>
                <Table.Td>
                  {editable && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => change.mutate({ kind: 'remove', linkId: l.id })}
                      aria-label={`Remove ${l.mciName}`}
                    >
                      Remove
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      {editable && <AddLink template={template} />}
    </Stack>
  );
}

/** R-VC-3: a newer committed revision of the linked MCI, here or in the marketplace. */
function Updates({ link: l, onUse }: { link: TemplateLink; onUse?(): void }) {
  return (
    <Group gap={6}>
      {l.newerRevision && (
        <>
          <Badge color="orange" variant="light">
            r{l.newerRevision.revision} available
          </Badge>
          {onUse && (
            <Button
              size="compact-xs"
              variant="subtle"
              onClick={onUse}
              aria-label={`Use r${l.newerRevision.revision} of ${l.mciName}`}
            >
              use r{l.newerRevision.revision}
            </Button>
          )}
        </>
      )}
      {l.newerInMarketplace && (
        <Badge color="grape" variant="light">
          r{l.newerInMarketplace.revision} in marketplace
        </Badge>
      )}
      {!l.newerRevision && !l.newerInMarketplace && (
        <Text size="sm" c="dimmed">
          up to date
        </Text>
      )}
    </Group>
  );
}
