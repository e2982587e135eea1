import { Alert, Anchor, Button, Checkbox, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { CloneDialog } from '../revisions/CloneDialog.tsx';
import { CommitDialog } from '../revisions/CommitDialog.tsx';
import { RevisionHeader } from '../revisions/RevisionHeader.tsx';
import { allows } from '../revisions/revision.ts';
import { RevisionsTimeline } from '../revisions/RevisionsTimeline.tsx';
import { ImageLinks } from './ImageLinks.tsx';
import {
  useCloneTemplate,
  useCommitTemplate,
  useTemplate,
  useTemplateRevisions,
  type Committed,
  type Template,
} from './queries.ts';
import { SupportedClouds } from './SupportedClouds.tsx';

/** One template revision: its MCI links, the clouds they cover, commit, revisions and clone. */
export function TemplateDetailPage() {
  const { id = '' } = useParams();
  const template = useTemplate(id);
  const [tab, setTab] = useState<string | null>('images');
  const [committing, setCommitting] = useState(false);
  const [cloning, setCloning] = useState(false);
  const [committed, setCommitted] = useState<Committed | null>(null);
  if (template.isPending) return <Loading what="the template" />;
  if (template.error) return <ProblemAlert error={template.error} />;
  const t = template.data;
  return (
    <Stack>
      <RevisionHeader revision={t}>
        {allows(t, 'commit') && <Button onClick={() => setCommitting(true)}>Commit</Button>}
        {allows(t, 'clone') && (
          <Button variant="default" onClick={() => setCloning(true)}>
            Clone
          </Button>
        )}
      </RevisionHeader>
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
          <ImageLinks template={t} editable={allows(t, 'edit')} />
        </Tabs.Panel>
        <Tabs.Panel value="clouds" pt="md">
          {tab === 'clouds' && <SupportedClouds template={t} />}
        </Tabs.Panel>
        <Tabs.Panel value="revisions" pt="md">
          {tab === 'revisions' && <TemplateRevisions template={t} />}
        </Tabs.Panel>
      </Tabs>
      <CommitTemplate
        template={t}
        opened={committing}
        onClose={() => setCommitting(false)}
        onCommitted={setCommitted}
      />
      <CloneTemplate template={t} opened={cloning} onClose={() => setCloning(false)} />
    </Stack>
  );
}

function TemplateRevisions({ template }: { template: Template }) {
  const revisions = useTemplateRevisions(template.id);
  return (
    <RevisionsTimeline revisions={revisions} currentId={template.id} hrefOf={(id) => `/templates/${id}`} />
  );
}

function CommitTemplate({
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
  const [withHeads, setWithHeads] = useState(false);
  const commit = useCommitTemplate(template.id);
  const headLinks = template.links.filter((l) => l.mciRevision === 0);
  return (
    <CommitDialog
      name={template.name}
      opened={opened}
      onClose={onClose}
      pending={commit.isPending}
      error={commit.error}
      onCommit={(message, done) =>
        commit.mutate(
          { message, commitHeadDependencies: withHeads },
          {
            onSuccess: (c) => {
              onCommitted(c);
              setWithHeads(false);
              done();
            },
          },
        )
      }
    >
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
    </CommitDialog>
  );
}

function CloneTemplate({
  template,
  opened,
  onClose,
}: {
  template: Template;
  opened: boolean;
  onClose(): void;
}) {
  const navigate = useNavigate();
  const clone = useCloneTemplate(template.id);
  return (
    <CloneDialog
      revision={template}
      opened={opened}
      onClose={onClose}
      pending={clone.isPending}
      error={clone.error}
      onClone={(name) =>
        clone.mutate(name, {
          onSuccess: (c) => {
            onClose();
            navigate(`/templates/${c.id}`);
          },
        })
      }
    />
  );
}
