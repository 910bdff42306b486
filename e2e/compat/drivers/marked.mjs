// marked (ESM): GitHub-flavoured markdown to HTML, with a custom renderer extension.
import { marked, Marked } from 'marked';

const source = `# Title

Some *emphasis*, **strong** and \`code\`.

- one
- two

| a | b |
|---|---|
| 1 | 2 |

\`\`\`js
const x = 1;
\`\`\`
`;
console.log(marked.parse(source));
const custom = new Marked({ renderer: { heading({ tokens, depth }) { return `<h${depth} class="x">${this.parser.parseInline(tokens)}</h${depth}>\n`; } } });
console.log(custom.parse('## Sub *title*'));
console.log(JSON.stringify(marked.lexer('a [link](http://example.com)')[0].tokens.map((t) => t.type)));
