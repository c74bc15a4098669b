// release-please's own parser on messages read from stdin (`id\0message\1` records): one JSON line per
// message with the changes it finds. RP_MODULES names a node_modules holding release-please.
const {parseConventionalCommits} = require(process.env.RP_MODULES + '/release-please/build/src/commit.js');
const silent = {debug() {}, info() {}, warn() {}, error() {}, trace() {}};
const input = require('fs').readFileSync(0).toString();
for (const rec of input.split('\x01')) {
  const r = rec.replace(/^\n/, '');
  const i = r.indexOf('\x00'); if (i < 0) continue;
  const sha = r.slice(0, i); const message = r.slice(i + 1).replace(/\n$/, '');
  const parsed = parseConventionalCommits([{sha, message}], silent);
  console.log(JSON.stringify({sha, changes: parsed.map(c => ({type: c.type, scope: c.scope, subject: c.bareMessage, breaking: c.breaking, notes: c.notes.filter(n => n.title === 'BREAKING CHANGE').map(n => n.text), refs: c.references.map(r => r.issue)}))}));
}
