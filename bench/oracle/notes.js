// release-please's own notes for a JSON list of commits on stdin ([{sha, message}], newest first).
const {parseConventionalCommits} = require(process.env.RP_MODULES + '/release-please/build/src/commit.js');
const {DefaultChangelogNotes} = require(process.env.RP_MODULES + '/release-please/build/src/changelog-notes/default.js');
const silent = {debug() {}, info() {}, warn() {}, error() {}, trace() {}};
(async () => {
  const commits = JSON.parse(require('fs').readFileSync(0).toString());
  const parsed = parseConventionalCommits(commits, silent);
  const notes = await new DefaultChangelogNotes().buildNotes(parsed, {
    host: 'https://github.com', owner: process.env.OWNER || 'o', repository: process.env.REPO || 'r', version: process.argv[2] || '1.1.0',
    previousTag: process.argv[3] || 'v1.0.0', currentTag: process.argv[4] || 'v1.1.0', targetBranch: 'main',
    changelogSections: undefined,
  });
  console.log(notes);
})();
