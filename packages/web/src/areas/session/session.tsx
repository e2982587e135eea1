import { createContext, useContext, useMemo, useState, type ReactNode } from 'react';
import { useAccountSwitch, useSignOut, type Me, type Role } from './queries.ts';

interface Session {
  me: Me;
  accountId: string | null;
  setAccountId(id: string): void;
  /** Whether the signed-in user holds `role` in the current account (the superuser holds all). */
  can(role: Role): boolean;
  signOut(): Promise<void>;
}

export type Can = Session['can'];

const SessionContext = createContext<Session | null>(null);
const ACCOUNT_KEY = 'mci.account';

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  const switchAccount = useAccountSwitch();
  const signOut = useSignOut();
  const [stored, setStored] = useState(() => localStorage.getItem(ACCOUNT_KEY));
  const accountId = me.accounts.some((a) => a.id === stored) ? stored : (me.accounts[0]?.id ?? null);
  const value = useMemo<Session>(
    () => ({
      me,
      accountId,
      setAccountId(id) {
        localStorage.setItem(ACCOUNT_KEY, id);
        setStored(id);
        switchAccount();
      },
      can(role) {
        if (me.user.isSuperuser) return true;
        return me.accounts.find((a) => a.id === accountId)?.roles.includes(role) ?? false;
      },
      signOut,
    }),
    [me, accountId, switchAccount, signOut],
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
