// shoald entry point. The daemon arrives with the cluster bootstrap issue.
process.stderr.write('shoald: not yet implemented\n');
process.exitCode = 1;
