import { useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { api, ApiProblem, unwrap, type Schemas } from './api.ts';

type Me = Schemas['Me'];
type Role = Me['accounts'][number]['roles'][number];

interface Session {
  me: Me;
  accountId: string | null;
  setAccountId(id: string): void;
  /** Whether the signed-in user holds `role` in the current account (the superuser holds all). */
  can(role: Role): boolean;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);
const ACCOUNT_KEY = 'mci.account';

/** The signed-in user, or `null` (401) so the app shows the sign-in page. */
export function useMeQuery() {
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        return unwrap(await api.GET('/v1/me'));
      } catch (err) {
        if (err instanceof ApiProblem && err.status === 401) return null;
        throw err;
      }
    },
    retry: false,
  });
}

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [stored, setStored] = useState(() => localStorage.getItem(ACCOUNT_KEY));
  const accountId = me.accounts.some((a) => a.id === stored) ? stored : (me.accounts[0]?.id ?? null);
  const value = useMemo<Session>(
    () => ({
      me,
      accountId,
      setAccountId(id) {
        localStorage.setItem(ACCOUNT_KEY, id);
        setStored(id);
        void queryClient.invalidateQueries();
      },
      can(role) {
        if (me.user.isSuperuser) return true;
        return me.accounts.find((a) => a.id === accountId)?.roles.includes(role) ?? false;
      },
      async signOut() {
        await api.DELETE('/v1/session');
        queryClient.clear();
        await queryClient.invalidateQueries({ queryKey: ['me'] });
      },
    }),
    [me, accountId, queryClient],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The current account id; pages under the shell always have one. */
export function useAccountId(): string {
  const { accountId } = useSession();
  if (!accountId) throw new Error('no account');
  return accountId;
}
