import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { ApiError, api, apiSettings } from './api';

/** The signed-in user as GET /auth/me tells it; `roles` drives what the console offers. */
export interface Me {
  user: { id: string; username: string; displayName: string; mustChangePassword: boolean };
  roles: string[];
  /** Classes the user is 班主任 of or teaches now. */
  classes: { id: string; relation: 'headTeacher' | 'subjectTeacher' }[];
  /** The user's own person records. */
  personIds: string[];
  /** Actions the user's roles have somewhere (the API's policy), and whether it may ask for L4 data. */
  can: string[];
  mayDeclarePurpose: boolean;
  /** District roles the user may grant somewhere, and the names of every role here. */
  assignableRoles: string[];
  roleNames: { role: string; name: { 'zh-CN': string; en: string } }[];
  csrfToken: string;
}

/** A role's name as the API gives it (GET /auth/me `roleNames`); the code when it has none. */
export function roleNameIn(me: Pick<Me, 'roleNames'>, role: string, lang: 'zh-CN' | 'en'): string {
  return me.roleNames.find((r) => r.role === role)?.name[lang] ?? role;
}

type State =
  | { status: 'loading' }
  | { status: 'signedOut'; expired: boolean }
  | { status: 'signedIn'; me: Me };

interface Session {
  state: State;
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState<State>({ status: 'loading' });

  const load = useCallback(async () => {
    // Ask first, so a signed-out visit makes no failing request (and no console error).
    if (!(await api.get<{ signedIn: boolean }>('/auth/session')).signedIn) {
      setState({ status: 'signedOut', expired: false });
      return;
    }
    try {
      const me = await api.get<Me>('/auth/me');
      apiSettings.setCsrfToken(me.csrfToken);
      setState({ status: 'signedIn', me });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401)
        setState({ status: 'signedOut', expired: false });
      else throw error;
    }
  }, []);

  useEffect(() => {
    apiSettings.onUnauthorized(() => setState({ status: 'signedOut', expired: true }));
    void load();
  }, [load]);

  const signIn = useCallback(
    async (username: string, password: string) => {
      const res = await api.post<{ csrfToken: string }>('/auth/sign-in', { username, password });
      apiSettings.setCsrfToken(res.csrfToken);
      await load();
    },
    [load],
  );

  const signOut = useCallback(async () => {
    await api.post('/auth/sign-out').catch(() => undefined);
    apiSettings.setCsrfToken('');
    setState({ status: 'signedOut', expired: false });
  }, []);

  const value = useMemo(() => ({ state, signIn, signOut }), [state, signIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** Whether the signed-in user's roles ever have `action` (to offer it; the API still decides). */
export function useCan(action: string): boolean {
  const { state } = useSession();
  return state.status === 'signedIn' && state.me.can.includes(action);
}

/** The signed-in user (pages behind the shell are only drawn when signed in). */
export function useMe(): Me {
  const { state } = useSession();
  if (state.status !== 'signedIn') throw new Error('useMe while signed out');
  return state.me;
}
