import { Button } from '@mantine/core';

/** The next page of a list, on demand; nothing when the list is complete. */
export function LoadMore({
  list,
  what,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage(): unknown };
  what: string;
}) {
  if (!list.hasNextPage) return null;
  return (
    <Button variant="light" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
      Load more {what}
    </Button>
  );
}
