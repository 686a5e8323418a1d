// Typesets TeX to SVG for the MkDocs build. Reads one JSON request per line on stdin,
// writes one JSON reply per line on stdout; stays alive so that `mkdocs serve` pays
// MathJax's start-up once.
const readline = require('readline');
const MathJax = require('mathjax');

MathJax.init({
  loader: {load: ['input/tex', '[tex]/html', 'output/svg', 'a11y/assistive-mml']},
  tex: {
    packages: {'[+]': ['ams', 'html'], '[-]': ['noundefined', 'autoload', 'require']},
    formatError: (jax, err) => { throw err; },
  },
  svg: {fontCache: 'local', mtextInheritFont: true},
  startup: {typeset: false},
}).then(() => {
  const adaptor = MathJax.startup.adaptor;
  const render = async ([tex, display]) => {
    MathJax.texReset();
    try {
      const html = adaptor.outerHTML(await MathJax.tex2svgPromise(tex, {display}));
      return html.includes('data-mml-node="merror"') ? {error: 'MathJax produced an merror node'} : {html};
    } catch (err) {
      return {error: err.message};
    }
  };
  const reply = (obj) => process.stdout.write(JSON.stringify(obj) + '\n');
  const lines = readline.createInterface({input: process.stdin});
  let queue = Promise.resolve();
  lines.on('line', (line) => {
    queue = queue.then(async () => {
      const req = JSON.parse(line);
      if (req.stylesheet) {
        reply({css: adaptor.textContent(MathJax.svgStylesheet())});
      } else {
        const out = [];
        for (const f of req.formulas) out.push(await render(f));
        reply({results: out});
      }
    });
  });
  reply({ready: MathJax.version});
}).catch((err) => {
  process.stderr.write(`MathJax failed to start: ${err.stack}\n`);
  process.exit(1);
});
