import { Button, Group, Modal, Select, Stepper } from '@mantine/core';
import { useState } from 'react';
import { revisionLabel } from '../../ui/labels.ts';
import { LoadMore } from '../../ui/LoadMore.tsx';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { SearchSelect } from '../../ui/SearchSelect.tsx';
import { Empty, Loading } from '../../ui/States.tsx';
import { CloudSelect } from '../catalog/pickers.tsx';
import { useCloudDirectory } from '../catalog/queries.ts';
import { useTemplatesForCloud } from '../templates/queries.ts';
import { useCreateServer, type Server } from './queries.ts';
import { WizardReview } from './WizardReview.tsx';

/**
 * Adds a server the way RightScale did: cloud first, then a template that supports it, then one of
 * the template's MCIs covering the cloud (its default preselected), then a preview of what the
 * server will inherit before it is created. The API resolves and checks everything (R-SRV-1..6).
 */
export function ServerWizard({
  deploymentId,
  onClose,
  onCreated,
}: {
  deploymentId: string;
  onClose(): void;
  onCreated(server: Server): void;
}) {
  const [step, setStep] = useState(0);
  const [cloudId, setCloudId] = useState<string | null>(null);
  const [templateId, setTemplateId] = useState<string | null>(null);
  const [mciId, setMciId] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [imageId, setImageId] = useState<string | null>(null);
  const [typeId, setTypeId] = useState<string | null>(null);
  const { nameOf } = useCloudDirectory();
  const candidates = useTemplatesForCloud(cloudId);
  const chosen = candidates.items?.find((c) => c.template.id === templateId);
  const cloudName = cloudId ? nameOf(cloudId) : '';
  const create = useCreateServer(deploymentId);
  const submit = () =>
    create.mutate(
      {
        name,
        cloudId: cloudId ?? '',
        serverTemplateId: templateId ?? '',
        // Only an MCI the user picked instead of the template's choice is sent (inherited ← you).
        mciId: mciId && mciId !== chosen?.cloud.mciId ? mciId : undefined,
        imageId: imageId ?? undefined,
        instanceTypeId: typeId ?? undefined,
      },
      { onSuccess: onCreated },
    );
  const ready = [Boolean(cloudId), Boolean(templateId), Boolean(mciId)];
  const templateOptions = (candidates.items ?? []).map((c) => ({
    value: c.template.id,
    label: `${c.template.name} — ${revisionLabel(c.template.revision)}`,
  }));
  return (
    <Modal opened onClose={onClose} title="Add a server" size="xl">
      <Stepper active={step} onStepClick={setStep} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="Cloud" description={cloudName || 'where it runs'}>
          <CloudSelect
            label="Cloud"
            value={cloudId}
            onChange={(v) => {
              setCloudId(v);
              setTemplateId(null);
              setMciId(null);
              setImageId(null);
              setTypeId(null);
            }}
            placeholder="Pick a cloud"
            data-autofocus
          />
        </Stepper.Step>
        <Stepper.Step label="ServerTemplate" description={chosen?.template.name ?? 'what it runs'}>
          {candidates.error && <ProblemAlert error={candidates.error} />}
          {candidates.isPending ? (
            <Loading what="templates that support this cloud" />
          ) : templateOptions.length === 0 && !candidates.hasNextPage ? (
            <Empty>No ServerTemplate of this account supports {cloudName}.</Empty>
          ) : (
            <SearchSelect
              label="ServerTemplate"
              description={`Only templates with an MCI for ${cloudName}`}
              searchable={false}
              source={{ ...candidates, options: templateOptions }}
              value={templateId}
              onChange={(v) => {
                setTemplateId(v);
                setMciId(candidates.items?.find((c) => c.template.id === v)?.cloud.mciId ?? null);
                setImageId(null);
                setTypeId(null);
              }}
            />
          )}
          {templateOptions.length === 0 && <LoadMore list={candidates} what="templates" />}
        </Stepper.Step>
        <Stepper.Step label="MultiCloud Image" description="its image map">
          {chosen && (
            <Select
              label="MultiCloud Image"
              description={`The template’s MCIs that cover ${cloudName}; its choice is preselected`}
              data={chosen.template.links
                .filter((l) => chosen.cloud.coveredBy.includes(l.mciId))
                .map((l) => ({
                  value: l.mciId,
                  label: `${l.mciName} — ${revisionLabel(l.mciRevision)}${
                    l.mciId === chosen.cloud.mciId ? ' (template default for this cloud)' : ''
                  }`,
                }))}
              value={mciId}
              onChange={(v) => {
                setMciId(v);
                setImageId(null);
                setTypeId(null);
              }}
              allowDeselect={false}
            />
          )}
        </Stepper.Step>
        <Stepper.Step label="Review" description="what it inherits">
          {cloudId && mciId && (
            <WizardReview
              cloudId={cloudId}
              cloudName={cloudName}
              mciId={mciId}
              name={name}
              setName={setName}
              imageId={imageId}
              setImageId={(v) => {
                setImageId(v);
                setTypeId(null);
              }}
              typeId={typeId}
              setTypeId={setTypeId}
              error={create.error}
            />
          )}
        </Stepper.Step>
      </Stepper>
      <Group justify="space-between" mt="xl">
        <Button variant="default" onClick={() => (step === 0 ? onClose() : setStep(step - 1))}>
          {step === 0 ? 'Cancel' : 'Back'}
        </Button>
        {step < 3 ? (
          <Button onClick={() => setStep(step + 1)} disabled={!ready[step]}>
            Next
          </Button>
        ) : (
          <Button onClick={submit} loading={create.isPending}>
            Create server
          </Button>
        )}
      </Group>
    </Modal>
  );
}
