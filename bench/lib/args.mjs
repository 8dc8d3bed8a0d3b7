// "--key value" and "--flag" command-line options with defaults; unknown options are refused.
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '');
    if (!argv[i].startsWith('--') || !(key in defaults)) {
      throw new Error(`unknown option ${argv[i]}; options: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    }
    if (typeof defaults[key] === 'boolean') out[key] = true;
    else {
      const value = argv[++i];
      if (value === undefined) throw new Error(`--${key} needs a value`);
      out[key] = typeof defaults[key] === 'number' ? Number(value) : value;
    }
  }
  return out;
}

/** "shoal,docker" → ["shoal", "docker"], checked against the known names. */
export function listOption(value, known) {
  const items = String(value).split(',').filter((s) => s !== '');
  for (const item of items) if (!known.includes(item)) throw new Error(`unknown "${item}"; choose from ${known.join(', ')}`);
  return items;
}
