import { MultiSelect, type MultiSelectProps, type SelectProps } from '@mantine/core';
import { revisionLabel } from '../../ui/labels.ts';
import { SearchSelect, usePickerSearch } from '../../ui/SearchSelect.tsx';
import { useMcis, type Mci } from './queries.ts';

/** How an MCI revision reads in a picker. */
export type MciLabel = (m: Mci) => string;
export const mciLabel: MciLabel = (m) => `${m.name} ${revisionLabel(m.revision)}`;

/**
 * One MCI revision of the account, searched by name (and, with `cloudId`, by the cloud it
 * serves) on the server and paged on scroll; `where` hides revisions that do not fit (already
 * linked, the revision itself).
 */
export function MciPicker({
  where,
  cloudId,
  labelOf = mciLabel,
  ...props
}: Omit<SelectProps, 'data' | 'searchable' | 'searchValue' | 'onSearchChange'> & {
  where?(m: Mci): boolean;
  cloudId?: string;
  labelOf?: MciLabel;
}) {
  const search = usePickerSearch();
  const mcis = useMcis(search.q, { cloudId });
  const options = (mcis.items ?? [])
    .filter((m) => m.id === props.value || !where || where(m))
    .map((m) => ({ value: m.id, label: labelOf(m) }));
  return <SearchSelect {...props} source={{ ...mcis, options }} search={search.bind} />;
}

/** Several MCI revisions, searched by name on the server and paged on scroll. */
export function MciMultiPicker(
  props: Omit<MultiSelectProps, 'data' | 'searchable' | 'searchValue' | 'onSearchChange'> & {
    enabled: boolean;
  },
) {
  const { enabled, ...rest } = props;
  const search = usePickerSearch();
  const mcis = useMcis(search.q, { enabled });
  return (
    <MultiSelect
      {...rest}
      searchable
      searchValue={search.bind.searchValue}
      onSearchChange={search.bind.onSearchChange}
      data={(mcis.items ?? []).map((m) => ({ value: m.id, label: mciLabel(m) }))}
      scrollAreaProps={{ onBottomReached: () => mcis.hasNextPage && void mcis.fetchNextPage() }}
    />
  );
}
