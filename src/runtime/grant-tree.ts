// Turns a package's dotted grants ("process.env", "fs.readFile") into a tree per root name.

export interface GrantNode {
  /** The path itself is granted (all of its members, hidden doors excepted). */
  whole: boolean;
  /** `"write"`: the package may also change it for everyone. */
  write: boolean;
  children: ReadonlyMap<string, GrantNode>;
}

/** The children of every leaf (most nodes): a Map each cost ~250 KB on the bench app. Only createGrantTrees adds children. */
const NO_CHILDREN: ReadonlyMap<string, GrantNode> = new Map();

function createNode(): GrantNode {
  return { whole: false, write: false, children: NO_CHILDREN };
}

function addChild(node: GrantNode, segment: string): GrantNode {
  const existing = node.children.get(segment);
  if (existing) return existing;
  const child = createNode();
  if (node.children === NO_CHILDREN) node.children = new Map();
  (node.children as Map<string, GrantNode>).set(segment, child);
  return child;
}

/** `{"process.env": true, "console": "write"}` -> Map { process -> {children: env}, console -> {whole, write} }. */
export function createGrantTrees(grants: Record<string, true | 'write'>): Map<string, GrantNode> {
  const roots = new Map<string, GrantNode>();
  // Indexed loops: this runs once per package, in the interpreter, where for...of allocates per element.
  const paths = Object.keys(grants);
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i]!;
    const segments = path.split('.');
    let node = roots.get(segments[0]!) ?? createNode();
    roots.set(segments[0]!, node);
    for (let j = 1; j < segments.length; j++) node = addChild(node, segments[j]!);
    node.whole = true;
    node.write ||= grants[path] === 'write';
  }
  return roots;
}
