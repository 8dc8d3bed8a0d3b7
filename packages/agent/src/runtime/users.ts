// Who a container's process runs as: dockerd's rules (runc's libcontainer/user GetExecUser, then
// moby's getUser) applied to the container's own /etc/passwd and /etc/group. Pure.
import { RuntimeError } from './types.js';

/** The OCI process user (config.json `process.user`). */
export interface OciUser {
  readonly uid: number;
  readonly gid: number;
  /** The primary gid first (dockerd adds it since CVE-2022-36109), then the user's groups. */
  readonly additionalGids: readonly number[];
}

/** The container's /etc/passwd and /etc/group as text; undefined when the file is not there. */
export interface UserFiles {
  readonly passwd?: string | undefined;
  readonly group?: string | undefined;
}

const MAX_ID = 2 ** 31 - 1;

interface PasswdEntry {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

interface GroupEntry {
  readonly name: string;
  readonly gid: number;
  readonly members: readonly string[];
}

/**
 * Resolves "", "user", "uid", "user:group", "uid:gid", … as dockerd does: a numeric user or group
 * need no entry (a uid without one gets gid 0), a name must have one; without an explicit group the
 * user's primary group comes from passwd and its supplementary groups from group membership.
 * `groupAdd` (`--group-add`) adds groups by name or gid, after those.
 */
export function resolveUser(spec: string, files: UserFiles, groupAdd: readonly string[] = []): OciUser {
  const [userArg = '', groupArg = ''] = spec.split(':');
  const uidArg = numeric(userArg);
  const gidArg = numeric(groupArg);
  const users = parsePasswd(files.passwd ?? '');
  const user = users.find((u) => (userArg === '' ? u.uid === 0 : uidArg !== undefined ? u.uid === uidArg : u.name === userArg));
  let uid = user?.uid ?? 0;
  let gid = user?.gid ?? 0;
  if (user === undefined && userArg !== '') {
    if (uidArg === undefined) throw new RuntimeError('internal', `unable to find user ${userArg}: no matching entries in passwd file`);
    uid = inRange(uidArg);
  }
  const groups = parseGroup(files.group ?? '');
  let supplementary: number[] = [];
  if (groupArg !== '') {
    const group = groups.find((g) => (gidArg !== undefined ? g.gid === gidArg : g.name === groupArg));
    if (group === undefined && gidArg === undefined) throw new RuntimeError('internal', `unable to find group ${groupArg}: no matching entries in group file`);
    gid = group?.gid ?? inRange(gidArg!);
  } else if (user !== undefined) {
    supplementary = groups.filter((g) => g.members.includes(user.name)).map((g) => g.gid);
  }
  return { uid, gid, additionalGids: [gid, ...supplementary, ...additionalGroups(groupAdd, groups)] };
}

/**
 * libcontainer's GetAdditionalGroups: each a group's name or gid in the container's /etc/group, else a
 * number (any gid in range, with or without an entry); each gid once.
 */
function additionalGroups(groupAdd: readonly string[], groups: readonly GroupEntry[]): number[] {
  const gids = new Set<number>();
  for (const wanted of groupAdd) {
    const entry = groups.find((g) => (g.name === wanted || String(g.gid) === wanted) && !gids.has(g.gid));
    if (entry !== undefined) {
      gids.add(entry.gid);
      continue;
    }
    if (!/^[+-]?\d+$/.test(wanted)) throw new RuntimeError('internal', `Unable to find group ${wanted}: no matching entries in group file`);
    const gid = Number(wanted);
    if (gid < 0) throw new RuntimeError('internal', `uids and gids must be in range 0-${MAX_ID}`);
    gids.add(inRange(gid));
  }
  return [...gids];
}

/** "name:pass:uid:gid:gecos:home:shell" lines; a malformed number reads as 0, as libcontainer's does. */
export function parsePasswd(text: string): PasswdEntry[] {
  return lines(text).map((fields) => ({ name: fields[0] ?? '', uid: atoi(fields[2]), gid: atoi(fields[3]) }));
}

/** "name:pass:gid:member,member" lines. */
export function parseGroup(text: string): GroupEntry[] {
  return lines(text).map((fields) => ({
    name: fields[0] ?? '',
    gid: atoi(fields[2]),
    members: (fields[3] ?? '').split(',').filter((m) => m !== ''),
  }));
}

function lines(text: string): string[][] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l !== '').map((l) => l.split(':'));
}

function numeric(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

function atoi(text: string | undefined): number {
  return numeric(text ?? '') ?? 0;
}

function inRange(id: number): number {
  if (id > MAX_ID) throw new RuntimeError('internal', `uids and gids must be in range 0-${MAX_ID}`);
  return id;
}
