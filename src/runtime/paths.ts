// POSIX path helpers for the runtime (it cannot import node:path): join and file URLs.

/** Joins a directory and a relative path, resolving `.` and `..` segments. */
export function joinPath(dir: string, relativePath: string): string {
  const segments: string[] = [];
  for (const segment of `${dir}/${relativePath}`.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return `/${segments.join('/')}`;
}

export function toFileUrl(file: string): string {
  return `file://${file.split('/').map(encodeURIComponent).join('/')}`;
}
