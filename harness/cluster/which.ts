// Where an executable is on PATH (and the sbin folders, where Debian keeps ip
// and iptables even for users whose PATH lacks them), as a shell's `command -v`
// would find it: for skipping tests and naming what to install.
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';

export function which(name: string): string | null {
  for (const dir of [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin']) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      /* not here */
    }
  }
  return null;
}

/** Null when every program is there, else one line naming what is missing and the Debian packages that bring it. */
export function missingPrograms(programs: Record<string, string>): string | null {
  const missing = Object.entries(programs).filter(([p]) => which(p) === null);
  if (missing.length === 0) return null;
  return `${missing.map(([p]) => p).join(', ')} not installed (Debian: apt-get install ${[...new Set(missing.map(([, pkg]) => pkg))].join(' ')})`;
}
