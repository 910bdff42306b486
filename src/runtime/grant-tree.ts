// Turns a package's dotted grants ("process.env", "fs.readFile") into a tree per root name.

export interface GrantNode {
  /** The path itself is granted (all of its members, hidden doors excepted). */
  whole: boolean;
  /** `"write"`: the package may also change it for everyone. */
  write: boolean;
  children: Map<string, GrantNode>;
}

function createNode(): GrantNode {
  return { whole: false, write: false, children: new Map() };
}

/** `{"process.env": true, "console": "write"}` -> Map { process -> {children: env}, console -> {whole, write} }. */
export function createGrantTrees(grants: Record<string, true | 'write'>): Map<string, GrantNode> {
  const roots = new Map<string, GrantNode>();
  for (const [path, grant] of Object.entries(grants)) {
    const segments = path.split('.');
    let node = roots.get(segments[0]!) ?? createNode();
    roots.set(segments[0]!, node);
    for (const segment of segments.slice(1)) {
      const child = node.children.get(segment) ?? createNode();
      node.children.set(segment, child);
      node = child;
    }
    node.whole = true;
    node.write ||= grant === 'write';
  }
  return roots;
}
