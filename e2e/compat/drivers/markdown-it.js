// markdown-it: rendering with typographer and linkify, plus a custom rule.
const MarkdownIt = require('markdown-it');

const md = new MarkdownIt({ typographer: true, linkify: true, html: false });
md.renderer.rules.strong_open = () => '<b>';
md.renderer.rules.strong_close = () => '</b>';
console.log(md.render('# Hello\n\n"Quotes" -- and **bold**, see https://example.com\n\n1. a\n2. b\n\n> quote <script>x</script>'));
console.log(md.renderInline('__inline__ `code`'));
console.log(md.parse('*x*', {}).map((t) => t.type).join(' '));
