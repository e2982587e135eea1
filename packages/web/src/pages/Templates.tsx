import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  Select,
  Stack,
  Table,
  Tabs,
  Text,
  TextInput,
  Timeline,
  Title,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { api, fieldError, unwrap, type Schemas } from '../api.ts';
import { ProblemAlert } from '../components/ProblemAlert.tsx';
import { Empty, Loading } from '../components/States.tsx';
import { useAccountId, useSession } from '../session.tsx';

type Template = Schemas['ServerTemplate'];
type TemplateLink = Schemas['MciLink'];
type Committed = Schemas['ServerTemplateWithWarnings'];

/** `HEAD` or `rN`: how a revision number reads everywhere in the dashboard. */
function revisionLabel(revision: number): string {
  return revision === 0 ? 'HEAD' : `r${revision}`;
}

/** Links in position order (the order R-SRV-2 falls back through). */
function byPosition(links: readonly TemplateLink[]): TemplateLink[] {
  return [...links].sort((a, b) => a.position - b.position);
}

/** Every MCI revision of the account (HEADs and committed), for pickers. */
function useAccountMciRevisions(enabled: boolean) {
  const accountId = useAccountId();
  return useQuery({
    queryKey: ['mcis', accountId, 'all-revisions'],
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', {
          params: { path: { a: accountId }, query: { limit: 500 } },
        }),
      ).items,
  });
}

/** The account's ServerTemplates (HEADs), with search and a create button for designers. */
export function Templates() {
  const accountId = useAccountId();
  const { can } = useSession();
  const [q, setQ] = useState('');
  const [creating, setCreating] = useState(false);
  const list = useQuery({
    queryKey: ['templates', accountId, q],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates', {
          params: { path: { a: accountId }, query: { q: q || undefined, revision: 0, limit: 200 } },
        }),
      ).items,
  });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>ServerTemplates</Title>
        {can('designer') && <Button onClick={() => setCreating(true)}>New template</Button>}
      </Group>
      <TextInput
        placeholder="Search by name"
        value={q}
        onChange={(e) => setQ(e.currentTarget.value)}
        aria-label="Search templates"
        w={320}
      />
      {list.error && <ProblemAlert error={list.error} />}
      {list.isPending ? (
        <Loading what="templates" />
      ) : list.data?.length === 0 ? (
        <Empty>{q ? 'No template matches.' : 'No ServerTemplates yet.'}</Empty>
      ) : (
        <Table highlightOnHover aria-label="Templates">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Default MCI</Table.Th>
              <Table.Th>MCIs</Table.Th>
              <Table.Th>Last commit</Table.Th>
              <Table.Th>Origin</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {list.data?.map((t) => {
              const def = t.links.find((l) => l.isDefault);
              return (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor component={Link} to={`/templates/${t.id}`}>
                      {t.name}
                    </Anchor>
                    {t.description && (
                      <Text size="xs" c="dimmed" lineClamp={1}>
                        {t.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>{def ? `${def.mciName} ${revisionLabel(def.mciRevision)}` : '—'}</Table.Td>
                  <Table.Td>{t.links.length}</Table.Td>
                  <Table.Td>{t.baseRevision ? `r${t.baseRevision}` : 'never committed'}</Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {t.clonedFrom && <Badge variant="light">clone</Badge>}
                      {t.importedFrom && (
                        <Badge variant="light" color="grape">
                          imported
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              );
            })}
          </Table.Tbody>
        </Table>
      )}
      <CreateTemplate opened={creating} onClose={() => setCreating(false)} />
    </Stack>
  );
}

function CreateTemplate({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [mciIds, setMciIds] = useState<string[]>([]);
  const mcis = useAccountMciRevisions(opened);
  const create = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates', {
          params: { path: { a: accountId } },
          body: { name, description, tags: [], mciIds },
        }),
      ),
    onSuccess: async (t) => {
      await queryClient.invalidateQueries({ queryKey: ['templates'] });
      await queryClient.invalidateQueries({ queryKey: ['coverage'] });
      setName('');
      setDescription('');
      setMciIds([]);
      onClose();
      navigate(`/templates/${t.id}`);
    },
  });
  const shownError = fieldError(create.error, 'name') ?? fieldError(create.error, 'mciIds');
  return (
    <Modal opened={opened} onClose={onClose} title="New ServerTemplate">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(create.error, 'name')}
            data-autofocus
          />
          <TextInput
            label="Description"
            value={description}
            onChange={(e) => setDescription(e.currentTarget.value)}
            error={fieldError(create.error, 'description')}
          />
          <MultiSelect
            label="MultiCloud Images"
            description="The first one you pick is the default."
            searchable
            data={(mcis.data ?? []).map((m) => ({
              value: m.id,
              label: `${m.name} ${revisionLabel(m.revision)}`,
            }))}
            value={mciIds}
            onChange={setMciIds}
            error={fieldError(create.error, 'mciIds')}
            nothingFoundMessage="No MCI matches"
          />
          {create.error && !shownError && <ProblemAlert error={create.error} />}
          <Button type="submit" loading={create.isPending}>
            Create
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

/** One template revision: its MCI links, the clouds they cover, commit, revisions and clone. */
export function TemplateDetail() {
  const { id = '' } = useParams();
  const accountId = useAccountId();
  const { can } = useSession();
  const template = useQuery({
    queryKey: ['template', id],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates/{id}', { params: { path: { a: accountId, id } } }),
      ),
  });
  const [tab, setTab] = useState<string | null>('images');
  const [committing, setCommitting] = useState(false);
  const [cloning, setCloning] = useState(false);
  const [committed, setCommitted] = useState<Committed | null>(null);
  if (template.isPending) return <Loading what="the template" />;
  if (template.error) return <ProblemAlert error={template.error} />;
  const t = template.data;
  const editable = t.revision === 0 && !t.importedFrom && can('designer');
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Group gap="xs">
            <Title order={2}>{t.name}</Title>
            <Badge variant="light" color={t.revision === 0 ? 'blue' : 'gray'}>
              {revisionLabel(t.revision)}
            </Badge>
          </Group>
          <Text c="dimmed" size="sm" data-testid="revision-info">
            {t.revision === 0 ? 'HEAD (editable)' : `revision ${t.revision} (committed, read-only)`}
            {t.baseRevision ? ` · based on r${t.baseRevision}` : ' · never committed'}
            {t.importedFrom ? ' · imported, read-only' : ''}
          </Text>
          {t.revision > 0 && t.commitMessage && (
            <Text size="sm">
              “{t.commitMessage}”
              {t.committedAt && (
                <Text span size="xs" c="dimmed">
                  {' '}
                  · {new Date(t.committedAt).toLocaleString()}
                </Text>
              )}
            </Text>
          )}
          {t.description && <Text size="sm">{t.description}</Text>}
        </div>
        <Group>
          {editable && <Button onClick={() => setCommitting(true)}>Commit</Button>}
          {can('designer') && (
            <Button variant="default" onClick={() => setCloning(true)}>
              Clone
            </Button>
          )}
        </Group>
      </Group>
      {committed && (
        <Alert
          color={committed.warnings.length > 0 ? 'yellow' : 'green'}
          title={`Committed as revision ${committed.revision}`}
          withCloseButton
          onClose={() => setCommitted(null)}
          data-testid="commit-result"
        >
          <Stack gap={4}>
            {committed.warnings.map((w) => (
              <Text key={w.message} size="sm">
                {w.message}
              </Text>
            ))}
            <Anchor component={Link} to={`/templates/${committed.id}`} size="sm">
              Open revision {committed.revision}
            </Anchor>
          </Stack>
        </Alert>
      )}
      <Tabs value={tab} onChange={setTab}>
        <Tabs.List>
          <Tabs.Tab value="images">Images</Tabs.Tab>
          <Tabs.Tab value="clouds">Clouds</Tabs.Tab>
          <Tabs.Tab value="revisions">Revisions</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="images" pt="md">
          <ImageLinks template={t} editable={editable} />
        </Tabs.Panel>
        <Tabs.Panel value="clouds" pt="md">
          {tab === 'clouds' && <SupportedClouds template={t} />}
        </Tabs.Panel>
        <Tabs.Panel value="revisions" pt="md">
          {tab === 'revisions' && <Revisions template={t} />}
        </Tabs.Panel>
      </Tabs>
      <CommitDialog
        template={t}
        opened={committing}
        onClose={() => setCommitting(false)}
        onCommitted={setCommitted}
      />
      <CloneDialog template={t} opened={cloning} onClose={() => setCloning(false)} />
    </Stack>
  );
}

/** A mutation of one template that answers with the updated template. */
function useTemplateChange<V>(template: Template, call: (v: V) => Promise<Template>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: call,
    onSuccess: async (updated) => {
      queryClient.setQueryData(['template', template.id], updated);
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['template', template.id] }),
        queryClient.invalidateQueries({ queryKey: ['templates'] }),
        queryClient.invalidateQueries({ queryKey: ['coverage'] }),
      ]);
    },
  });
}

function ImageLinks({ template, editable }: { template: Template; editable: boolean }) {
  const accountId = useAccountId();
  const path = (linkId: string) => ({ params: { path: { a: accountId, id: template.id, linkId } } });
  const makeDefault = useTemplateChange(template, async (linkId: string) =>
    unwrap(await api.POST('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}/make-default', path(linkId))),
  );
  const repoint = useTemplateChange(template, async ({ linkId, mciId }: { linkId: string; mciId: string }) =>
    unwrap(
      await api.PATCH('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', {
        ...path(linkId),
        body: { mciId },
      }),
    ),
  );
  const remove = useTemplateChange(template, async (linkId: string) =>
    unwrap(await api.DELETE('/v1/accounts/{a}/server-templates/{id}/mcis/{linkId}', path(linkId))),
  );
  // Only the latest change's refusal is shown.
  const changes = [makeDefault, repoint, remove];
  const error = changes.find((m) => m.error)?.error;
  const run = <V,>(m: { mutate(v: V): void }, v: V) => {
    for (const other of changes) if (other !== m) other.reset();
    m.mutate(v);
  };
  const links = byPosition(template.links);
  return (
    <Stack>
      {error && <ProblemAlert error={error} />}
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
                      onChange={(mciId) => run(repoint, { linkId: l.id, mciId })}
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
                      onClick={() => run(makeDefault, l.id)}
                      loading={makeDefault.isPending && makeDefault.variables === l.id}
                      aria-label={`Make ${l.mciName} default`}
                    >
                      Make default
                    </Button>
                  ) : null}
                </Table.Td>
                <Table.Td>
                  <Group gap={6}>
                    {l.newerRevision && (
                      <>
                        <Badge color="orange" variant="light">
                          r{l.newerRevision.revision} available
                        </Badge>
                        {editable && (
                          <Button
                            size="compact-xs"
                            variant="subtle"
                            onClick={() => run(repoint, { linkId: l.id, mciId: l.newerRevision!.mciId })}
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
                </Table.Td>
                <Table.Td>
                  {editable && (
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => run(remove, l.id)}
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

/** The revisions of one link's MCI lineage; choosing one re-points the link (R-ST-1). */
function LinkRevisionSelect({ link, onChange }: { link: TemplateLink; onChange(mciId: string): void }) {
  const accountId = useAccountId();
  const revisions = useQuery({
    queryKey: ['mcis', accountId, 'lineage', link.mciLineageId],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/mcis', {
          params: { path: { a: accountId }, query: { lineageId: link.mciLineageId, limit: 500 } },
        }),
      ).items,
  });
  const data = (revisions.data ?? [{ id: link.mciId, revision: link.mciRevision, commitMessage: null }])
    .slice()
    .sort((a, b) => (a.revision === 0 ? -1 : b.revision === 0 ? 1 : b.revision - a.revision))
    .map((m) => ({
      value: m.id,
      label: m.revision === 0 ? 'HEAD' : `r${m.revision}${m.commitMessage ? ` — ${m.commitMessage}` : ''}`,
    }));
  return (
    <Select
      size="xs"
      aria-label={`Revision of ${link.mciName}`}
      data={data}
      value={link.mciId}
      onChange={(v) => v && v !== link.mciId && onChange(v)}
      allowDeselect={false}
      comboboxProps={{ width: 320, position: 'bottom-start' }}
    />
  );
}

function AddLink({ template }: { template: Template }) {
  const accountId = useAccountId();
  const [mciId, setMciId] = useState<string | null>(null);
  const mcis = useAccountMciRevisions(true);
  const add = useTemplateChange(template, async (id: string) =>
    unwrap(
      await api.POST('/v1/accounts/{a}/server-templates/{id}/mcis', {
        params: { path: { a: accountId, id: template.id } },
        body: { mciId: id },
      }),
    ),
  );
  const linked = new Set(template.links.map((l) => l.mciLineageId));
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (mciId) add.mutate(mciId, { onSuccess: () => setMciId(null) });
      }}
    >
      <Stack gap="xs">
        <Group align="flex-end">
          <Select
            label="Link a MultiCloud Image"
            placeholder="Pick an MCI revision"
            searchable
            w={360}
            data={(mcis.data ?? [])
              .filter((m) => !linked.has(m.lineageId))
              .map((m) => ({ value: m.id, label: `${m.name} ${revisionLabel(m.revision)}` }))}
            value={mciId}
            onChange={setMciId}
            error={fieldError(add.error, 'mciId')}
            nothingFoundMessage="No other MCI"
          />
          <Button type="submit" variant="light" disabled={!mciId} loading={add.isPending}>
            Link
          </Button>
        </Group>
        {add.error && !fieldError(add.error, 'mciId') && <ProblemAlert error={add.error} />}
      </Stack>
    </form>
  );
}

/** R-ST-3: the clouds the template supports and which MCI a new server there would use. */
function SupportedClouds({ template }: { template: Template }) {
  const accountId = useAccountId();
  const clouds = useQuery({
    queryKey: ['template', template.id, 'clouds'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates/{id}/clouds', {
          params: { path: { a: accountId, id: template.id } },
        }),
      ).items,
  });
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

function CommitDialog({
  template,
  opened,
  onClose,
  onCommitted,
}: {
  template: Template;
  opened: boolean;
  onClose(): void;
  onCommitted(c: Committed): void;
}) {
  const accountId = useAccountId();
  const queryClient = useQueryClient();
  const [message, setMessage] = useState('');
  const [withHeads, setWithHeads] = useState(false);
  const headLinks = template.links.filter((l) => l.mciRevision === 0);
  const commit = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates/{id}/commit', {
          params: { path: { a: accountId, id: template.id } },
          body: { message, commitHeadDependencies: withHeads },
        }),
      ),
    onSuccess: async (c) => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: ['template', template.id] }),
        queryClient.invalidateQueries({ queryKey: ['templates'] }),
        queryClient.invalidateQueries({ queryKey: ['mcis'] }),
        queryClient.invalidateQueries({ queryKey: ['mci'] }),
        queryClient.invalidateQueries({ queryKey: ['coverage'] }),
      ]);
      onCommitted(c);
      setMessage('');
      setWithHeads(false);
      onClose();
    },
  });
  return (
    <Modal opened={opened} onClose={onClose} title={`Commit ${template.name}`}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          commit.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Message"
            value={message}
            onChange={(e) => setMessage(e.currentTarget.value)}
            error={fieldError(commit.error, 'message')}
            data-autofocus
          />
          <Checkbox
            label="Also commit HEAD MCIs"
            description={
              headLinks.length > 0
                ? `Commits ${headLinks.map((l) => l.mciName).join(', ')} with the same message and links the new revisions.`
                : 'No link points at a HEAD MCI.'
            }
            checked={withHeads}
            onChange={(e) => setWithHeads(e.currentTarget.checked)}
          />
          {commit.error && !fieldError(commit.error, 'message') && <ProblemAlert error={commit.error} />}
          <Button type="submit" loading={commit.isPending}>
            Commit
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function CloneDialog({
  template,
  opened,
  onClose,
}: {
  template: Template;
  opened: boolean;
  onClose(): void;
}) {
  const accountId = useAccountId();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [name, setName] = useState(`${template.name} (clone)`);
  const clone = useMutation({
    mutationFn: async () =>
      unwrap(
        await api.POST('/v1/accounts/{a}/server-templates/{id}/clone', {
          params: { path: { a: accountId, id: template.id } },
          body: { name },
        }),
      ),
    onSuccess: async (c) => {
      await queryClient.invalidateQueries({ queryKey: ['templates'] });
      await queryClient.invalidateQueries({ queryKey: ['coverage'] });
      onClose();
      navigate(`/templates/${c.id}`);
    },
  });
  return (
    <Modal
      opened={opened}
      onClose={onClose}
      title={`Clone ${template.name} ${revisionLabel(template.revision)}`}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          clone.mutate();
        }}
      >
        <Stack>
          <TextInput
            label="Name"
            value={name}
            onChange={(e) => setName(e.currentTarget.value)}
            error={fieldError(clone.error, 'name')}
          />
          {clone.error && !fieldError(clone.error, 'name') && <ProblemAlert error={clone.error} />}
          <Button type="submit" loading={clone.isPending}>
            Clone
          </Button>
        </Stack>
      </form>
    </Modal>
  );
}

function Revisions({ template }: { template: Template }) {
  const accountId = useAccountId();
  const revisions = useQuery({
    queryKey: ['template', template.id, 'revisions'],
    queryFn: async () =>
      unwrap(
        await api.GET('/v1/accounts/{a}/server-templates/{id}/revisions', {
          params: { path: { a: accountId, id: template.id } },
        }),
      ).items,
  });
  if (revisions.error) return <ProblemAlert error={revisions.error} />;
  if (!revisions.data) return <Loading what="revisions" />;
  return (
    <Timeline bulletSize={18} lineWidth={2} aria-label="Revisions">
      {revisions.data.map((r) => (
        <Timeline.Item
          key={r.id}
          title={
            <Anchor component={Link} to={`/templates/${r.id}`} fw={r.id === template.id ? 700 : 500}>
              {r.revision === 0 ? 'HEAD' : `Revision ${r.revision}`}
            </Anchor>
          }
        >
          <Text size="sm">{r.commitMessage ?? 'uncommitted changes'}</Text>
          {r.committedAt && (
            <Text size="xs" c="dimmed">
              {new Date(r.committedAt).toLocaleString()} · {r.committedBy}
            </Text>
          )}
        </Timeline.Item>
      ))}
    </Timeline>
  );
}
