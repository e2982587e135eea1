import {
  Alert,
  Anchor,
  Button,
  Checkbox,
  Group,
  List,
  Modal,
  MultiSelect,
  SegmentedControl,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';
import { fieldError } from '../../api.ts';
import { ProblemAlert } from '../../ui/ProblemAlert.tsx';
import { useAccountId } from '../session/session.tsx';
import { useGroups } from '../sharing/queries.ts';
import { PreflightMatrix } from './PreflightMatrix.tsx';
import { PublishSourcePicker } from './PublishSourcePicker.tsx';
import { usePreflight, usePublish, type PublishResult } from './queries.ts';

/**
 * Publishes a committed revision: the form, then the launchability preflight over the same body
 * (R-GRP-2), then the publication itself, listing the MCIs a template took along.
 */
export function PublishDialog({ opened, onClose }: { opened: boolean; onClose(): void }) {
  const accountId = useAccountId();
  const [sourceId, setSourceId] = useState<string | null>(null);
  const [visibility, setVisibility] = useState<'public' | 'groups'>('groups');
  const [groupIds, setGroupIds] = useState<string[]>([]);
  const [shortDescription, setShortDescription] = useState('');
  const [longDescription, setLongDescription] = useState('');
  const [categories, setCategories] = useState<string[]>([]);
  const [strict, setStrict] = useState(false);
  const [result, setResult] = useState<PublishResult | null>(null);
  const groups = useGroups(opened);
  const ownGroups = (groups.data ?? []).filter((g) => g.ownerAccountId === accountId);
  const body = {
    sourceId: sourceId ?? '',
    visibility,
    groupIds: visibility === 'groups' ? groupIds : [],
    shortDescription,
    longDescription,
    categories,
  };
  const preflight = usePreflight();
  const publish = usePublish();
  const runPreflight = () => preflight.mutate({ ...body, strict: false });
  const runPublish = () => publish.mutate({ ...body, strict }, { onSuccess: setResult });
  /** Any change to the body invalidates the preflight: it must be run again before publishing. */
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      preflight.reset();
      publish.reset();
    };
  const close = () => {
    preflight.reset();
    publish.reset();
    setResult(null);
    onClose();
  };
  const formError = preflight.error ?? publish.error;
  const fieldsShown = ['sourceId', 'groupIds', 'shortDescription', 'longDescription', 'categories'];
  return (
    <Modal opened={opened} onClose={close} title="Publish to the marketplace" size="xl">
      {result ? (
        <Stack>
          <Alert color="green" title="Published" data-testid="published">
            {result.publication.name} r{result.publication.revision} is in the marketplace (
            {result.publication.visibility === 'public' ? 'public' : 'shared with groups'}).
          </Alert>
          {result.publishedAlong.length > 0 && (
            <div>
              <Text fw={500} size="sm">
                Published along (linked MCI revisions not yet published)
              </Text>
              <List size="sm" aria-label="Published along">
                {result.publishedAlong.map((p) => (
                  <List.Item key={p.id}>
                    <Anchor component={Link} to={`/mcis/${p.sourceId}`} onClick={close}>
                      {p.name} r{p.revision}
                    </Anchor>
                  </List.Item>
                ))}
              </List>
            </div>
          )}
          <Group justify="flex-end">
            <Button onClick={close}>Done</Button>
          </Group>
        </Stack>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (preflight.data) runPublish();
            else runPreflight();
          }}
        >
          <Stack>
            <PublishSourcePicker
              enabled={opened}
              value={sourceId}
              onChange={edit(setSourceId)}
              error={fieldError(formError, 'sourceId')}
            />
            <Stack gap={4}>
              <Text size="sm" fw={500}>
                Visibility
              </Text>
              <SegmentedControl
                aria-label="Visibility"
                data={[
                  { value: 'groups', label: 'Account groups' },
                  { value: 'public', label: 'Public' },
                ]}
                value={visibility}
                onChange={edit((v: string) => setVisibility(v as 'public' | 'groups'))}
                w={320}
              />
            </Stack>
            {visibility === 'groups' && (
              <MultiSelect
                label="Groups"
                placeholder={ownGroups.length === 0 ? 'This account owns no group yet' : 'Pick groups'}
                data={ownGroups.map((g) => ({ value: g.id, label: g.name }))}
                value={groupIds}
                onChange={edit(setGroupIds)}
                error={fieldError(formError, 'groupIds')}
              />
            )}
            <TextInput
              label="Short description"
              value={shortDescription}
              onChange={(e) => edit(setShortDescription)(e.currentTarget.value)}
              error={fieldError(formError, 'shortDescription')}
            />
            <Textarea
              label="Long description"
              value={longDescription}
              onChange={(e) => edit(setLongDescription)(e.currentTarget.value)}
              autosize
              minRows={2}
              error={fieldError(formError, 'longDescription')}
            />
            <TagsInput
              label="Categories"
              placeholder="Type and press Enter"
              value={categories}
              onChange={edit(setCategories)}
              error={fieldError(formError, 'categories')}
            />
            {preflight.data && <PreflightMatrix preflight={preflight.data} />}
            <Checkbox
              label="Strict: refuse to publish if any receiving account could not launch an image"
              checked={strict}
              onChange={(e) => {
                setStrict(e.currentTarget.checked);
                publish.reset();
              }}
            />
            {formError && !fieldsShown.some((f) => fieldError(formError, f)) && (
              <ProblemAlert error={formError} />
            )}
            <Group justify="flex-end">
              {preflight.data && (
                <Button
                  variant="default"
                  onClick={() => {
                    publish.reset();
                    runPreflight();
                  }}
                  loading={preflight.isPending}
                >
                  Re-run preflight
                </Button>
              )}
              {preflight.data ? (
                <Button
                  type="submit"
                  loading={publish.isPending}
                  color={preflight.data.ok ? undefined : 'orange'}
                >
                  Publish
                </Button>
              ) : (
                <Button type="submit" loading={preflight.isPending} disabled={!sourceId}>
                  Run preflight
                </Button>
              )}
            </Group>
          </Stack>
        </form>
      )}
    </Modal>
  );
}
