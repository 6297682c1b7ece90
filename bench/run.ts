// `npm run bench [name…]`: runs every benchmark (or the named ones) and prints its figures against the anchors
// its issue names. Each bench module exports one async function that prints its own report.
const BENCHES: Record<string, { file: string; fn: string }> = {
  config: { file: './config.bench.js', fn: 'benchConfig' },
  affinity: { file: './affinity.bench.js', fn: 'benchAffinity' },
  apiserver: { file: './apiserver.bench.js', fn: 'benchApiServer' },
  localcluster: { file: './localcluster.bench.js', fn: 'benchLocalCluster' },
  repository: { file: './repository.bench.js', fn: 'benchRepository' },
};

const wanted = process.argv.slice(2);
for (const name of wanted) {
  if (!(name in BENCHES)) {
    console.error(`unknown benchmark ${name}; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
}
for (const [name, { file, fn }] of Object.entries(BENCHES)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n== ${name} ==`);
  const mod = (await import(file)) as Record<string, () => Promise<void>>;
  const run = mod[fn];
  if (!run) throw new Error(`${file} does not export ${fn}`);
  await run();
}
