// Linux /proc/<pid>/stat, as the bench reads it: a process's parent and CPU time.

import fs from 'node:fs';

/** USER_HZ, the unit of /proc/<pid>/stat's CPU fields, on Linux. */
const TICK_MS = 10;

/**
 * The parent pid and the CPU milliseconds (utime + stime, fields 14 and 15) of process `pid`; throws
 * if it is gone. The fields are counted after the ") " that ends the command name, which may hold spaces.
 */
export function procStat(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return { ppid: fields[1], cpuMs: (Number(fields[11]) + Number(fields[12])) * TICK_MS };
}
