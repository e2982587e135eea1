import { Anchor, Select, type ComboboxItem, type ComboboxItemGroup, type SelectProps } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';

/** What a server-side picker reads: options for the current search, and the next page on demand. */
export interface PickerSource {
  options: (ComboboxItem | ComboboxItemGroup<ComboboxItem>)[];
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage(): unknown;
}

/**
 * The search text of a picker, debounced, as the server should see it: empty while the box shows
 * the chosen option's label, so reopening the picker lists everything again.
 */
export function usePickerSearch(): {
  q: string;
  bind: Pick<SelectProps, 'searchValue' | 'onSearchChange'> & { onPicked(label: string | null): void };
} {
  const [search, setSearch] = useState('');
  const [picked, setPicked] = useState<string | null>(null);
  const [q] = useDebouncedValue(search === picked ? '' : search.trim(), 250);
  return { q, bind: { searchValue: search, onSearchChange: setSearch, onPicked: setPicked } };
}

/**
 * A Select over a list the server searches and pages: typing asks the server (debounced), and
 * scrolling to the end of the options, or "more…", loads the next page.
 */
export function SearchSelect({
  source,
  search,
  onChange,
  description,
  ...props
}: Omit<SelectProps, 'data' | 'searchValue' | 'onSearchChange'> & {
  source: PickerSource;
  /** The server-side search; without it, typing filters the loaded options. */
  search?: ReturnType<typeof usePickerSearch>['bind'];
}) {
  const { onPicked = noop, ...searchProps } = search ?? {};
  // The chosen option's label, also for a value chosen elsewhere (a preselection): while the box
  // shows it, the server is asked for everything.
  const label = findLabel(source.options, props.value ?? null);
  useEffect(() => {
    if (label !== null) onPicked(label);
  }, [label, onPicked]);
  const more = source.hasNextPage && (
    <Anchor component="button" type="button" size="xs" onClick={() => void source.fetchNextPage()}>
      more…
    </Anchor>
  );
  return (
    <Select
      searchable
      {...props}
      {...searchProps}
      data={source.options}
      description={
        more ? (
          <>
            {description} {more}
          </>
        ) : (
          description
        )
      }
      onChange={(value, option) => {
        onPicked(option?.label ?? null);
        onChange?.(value, option);
      }}
      scrollAreaProps={{ onBottomReached: () => source.hasNextPage && void source.fetchNextPage() }}
    />
  );
}

function noop() {}

function findLabel(options: PickerSource['options'], value: string | null): string | null {
  if (value === null) return null;
  for (const o of options) {
    if ('group' in o) {
      const found = o.items.find((i) => i.value === value);
      if (found) return found.label;
    } else if (o.value === value) return o.label;
  }
  return null;
}
