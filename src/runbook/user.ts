// Who is running Breakglass, for journals: BREAKGLASS_USER overrides the login name.
import { userInfo } from 'node:os';

export function safeUser(): string {
  try {
    return process.env.BREAKGLASS_USER || userInfo().username;
  } catch {
    return process.env.USER ?? process.env.LOGNAME ?? 'unknown';
  }
}
