// Fixed inputs for the server and CPU modes: deterministic, so every run does the same work.
'use strict';

exports.USER = Object.freeze({
  id: 0,
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  roles: ['admin', 'analyst'],
  createdAt: '2024-01-02T03:04:05.000Z',
});

/** A markdown document of `sections` sections: headings, emphasis, links, lists, code, a table, quotes. */
exports.makeMarkdown = function makeMarkdown(sections) {
  const parts = ['# Release notes\n'];
  for (let i = 0; i < sections; i++) {
    parts.push(
      `## Section ${i}: *emphasis*, **strong** and \`code\`\n`,
      `Paragraph ${i} with a [link](https://example.com/${i} "title") and an autolink <https://example.org/${i}>. ` +
        'It wraps onto\na second line with ~~strikethrough~~ and an image ![alt](img.png).\n',
      `- item one ${i}\n- item two with **bold**\n  - nested item\n- [ ] task\n`,
      '1. first\n2. second\n3. third\n',
      '```js\nconst answer = 42;\nconsole.log(answer);\n```\n',
      `| key | value |\n|-----|------:|\n| a${i} | ${i} |\n| b${i} | ${i * 2} |\n`,
      `> A quote ${i}\n> across lines.\n`,
    );
  }
  return parts.join('\n');
};

/** A YAML document: maps, sequences, anchors with merge keys, block scalars, flow collections. */
exports.makeYaml = function makeYaml(services) {
  const parts = ['version: "3.9"', 'defaults: &defaults', '  restart: always', '  logging: { driver: json-file, options: { max-size: 10m } }', 'services:'];
  for (let i = 0; i < services; i++) {
    parts.push(
      `  service${i}:`,
      '    <<: *defaults',
      `    image: "registry.example.com/app/service${i}:1.${i}.0"`,
      `    ports: ["${8000 + i}:80", "${9000 + i}:443"]`,
      '    environment:',
      '      - NODE_ENV=production',
      `      - SERVICE_ID=${i}`,
      '    command: |',
      `      node server.js --port 80 --id ${i}`,
      '      --verbose',
      `    healthcheck: { test: [CMD, curl, -f, "http://localhost/health"], interval: 30s, retries: ${i % 5} }`,
      `    enabled: ${i % 2 === 0}`,
      `    weight: ${(i * 1.5).toFixed(1)}`,
    );
  }
  return `${parts.join('\n')}\n`;
};
