import { Alert, Button, Code, Stack, Tabs, Text } from '@mantine/core';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { Loading } from '../../ui/States.tsx';
import { CloneDialog } from '../revisions/CloneDialog.tsx';
import { CommitDialog } from '../revisions/CommitDialog.tsx';
import { RevisionHeader } from '../revisions/RevisionHeader.tsx';
import { allows } from '../revisions/revision.ts';
import { RevisionsTimeline } from '../revisions/RevisionsTimeline.tsx';
import { CloudGrid } from './CloudGrid.tsx';
import { ImageAlerts } from './ImageAlerts.tsx';
import { MciUsage } from './MciUsage.tsx';
import { useCloneMci, useCommitMci, useMci, useMciLint, useMciRevisions, type Mci } from './queries.ts';
import { SettingDialog } from './SettingDialog.tsx';

/** One MCI revision: the cloud grid, lint warnings, commit, revisions, clone and usage. */
export function MciDetailPage() {
  const { id = '' } = useParams();
  const mci = useMci(id);
  const lint = useMciLint(id);
  // null: closed; '' : add a cloud; a cloud id: replace that cloud's setting.
  const [settingFor, setSettingFor] = useState<string | null>(null);
  const [committing, setCommitting] = useState(false);
  const [cloning, setCloning] = useState(false);
  const navigate = useNavigate();
  if (mci.isPending) return <Loading what="the MCI" />;
  if (mci.error) return <ProblemAlert error={mci.error} />;
  const m = mci.data;
  const editable = allows(m, 'edit');
  return (
    <Stack>
      <RevisionHeader revision={m}>
        {editable && <Button onClick={() => setSettingFor('')}>Add cloud</Button>}
        {allows(m, 'commit') && (
          <Button variant="light" onClick={() => setCommitting(true)}>
            Commit
          </Button>
        )}
        <Button variant="default" onClick={() => navigate(`/mcis/${m.id}/diff`)}>
          Compare
        </Button>
        {allows(m, 'merge') && (
          <Button variant="default" onClick={() => navigate(`/mcis/${m.id}/merge`)}>
            Merge
          </Button>
        )}
        {allows(m, 'clone') && (
          <Button variant="default" onClick={() => setCloning(true)}>
            Clone
          </Button>
        )}
      </RevisionHeader>
      <ImageAlerts mciId={m.id} />
      {lint.data && lint.data.length > 0 && (
        <Alert color="yellow" title="Lint" data-testid="lint">
          <Stack gap={4}>
            {lint.data.map((w) => (
              <Text key={`${w.code}${w.cloudId ?? ''}${w.message}`} size="sm">
                <Code>{w.code}</Code> {w.message}
              </Text>
            ))}
          </Stack>
        </Alert>
      )}
      <Tabs defaultValue="clouds">
        <Tabs.List>
          <Tabs.Tab value="clouds">Clouds</Tabs.Tab>
          <Tabs.Tab value="revisions">Revisions</Tabs.Tab>
          <Tabs.Tab value="usage">Usage</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="clouds" pt="md">
          <CloudGrid mci={m} editable={editable} onReplace={(cloudId) => setSettingFor(cloudId)} />
        </Tabs.Panel>
        <Tabs.Panel value="revisions" pt="md">
          <MciRevisions mci={m} />
        </Tabs.Panel>
        <Tabs.Panel value="usage" pt="md">
          <MciUsage id={id} />
        </Tabs.Panel>
      </Tabs>
      {settingFor !== null && (
        <SettingDialog mci={m} replaceCloudId={settingFor || undefined} onClose={() => setSettingFor(null)} />
      )}
      <CommitMci mci={m} opened={committing} onClose={() => setCommitting(false)} />
      <CloneMci mci={m} opened={cloning} onClose={() => setCloning(false)} />
    </Stack>
  );
}

function MciRevisions({ mci }: { mci: Mci }) {
  const revisions = useMciRevisions(mci.id);
  return <RevisionsTimeline revisions={revisions} currentId={mci.id} hrefOf={(id) => `/mcis/${id}`} />;
}

function CommitMci({ mci, opened, onClose }: { mci: Mci; opened: boolean; onClose(): void }) {
  const commit = useCommitMci(mci.id);
  return (
    <CommitDialog
      name={mci.name}
      opened={opened}
      onClose={onClose}
      onCommit={(message, done) => commit.mutate(message, { onSuccess: done })}
      pending={commit.isPending}
      error={commit.error}
    />
  );
}

function CloneMci({ mci, opened, onClose }: { mci: Mci; opened: boolean; onClose(): void }) {
  const navigate = useNavigate();
  const clone = useCloneMci(mci.id);
  return (
    <CloneDialog
      revision={mci}
      opened={opened}
      onClose={onClose}
      onClone={(name) =>
        clone.mutate(name, {
          onSuccess: (c) => {
            onClose();
            navigate(`/mcis/${c.id}`);
          },
        })
      }
      pending={clone.isPending}
      error={clone.error}
    />
  );
}
