import { SearchSelect, usePickerSearch } from '../../ui/SearchSelect.tsx';
import { useMcis } from '../mcis/queries.ts';
import { allows, type Revision } from '../revisions/revision.ts';
import { useTemplates } from '../templates/queries.ts';

/**
 * The revision to publish: MCI and template revisions the API lets this caller publish (R-PUB-1:
 * committed, not imported), searched by name on the server and paged on scroll.
 */
export function PublishSourcePicker({
  enabled,
  value,
  onChange,
  error,
}: {
  enabled: boolean;
  value: string | null;
  onChange(id: string | null): void;
  error?: string;
}) {
  const search = usePickerSearch();
  const mcis = useMcis(search.q, { enabled });
  const templates = useTemplates(search.q, { enabled });
  const publishable = (items: Revision[] | undefined) =>
    (items ?? [])
      .filter((r) => allows(r, 'publish'))
      .map((r) => ({ value: r.id, label: `${r.name} r${r.revision}` }));
  const options = [
    { group: 'MultiCloud Images', items: publishable(mcis.items) },
    { group: 'ServerTemplates', items: publishable(templates.items) },
  ].filter((g) => g.items.length > 0);
  const loading = mcis.isPending || templates.isPending;
  return (
    <SearchSelect
      label="Revision"
      placeholder={
        !loading && options.length === 0 ? 'No committed revision yet' : 'Pick a committed revision'
      }
      source={{
        options,
        hasNextPage: mcis.hasNextPage || templates.hasNextPage,
        isFetchingNextPage: mcis.isFetchingNextPage || templates.isFetchingNextPage,
        fetchNextPage: () => {
          if (mcis.hasNextPage) void mcis.fetchNextPage();
          if (templates.hasNextPage) void templates.fetchNextPage();
        },
      }}
      search={search.bind}
      value={value}
      onChange={onChange}
      error={error}
      data-autofocus
    />
  );
}
