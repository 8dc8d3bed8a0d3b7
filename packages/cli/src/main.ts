// shoal entry point. Commands arrive with the issues that bring their daemon side.
process.stderr.write('shoal: not yet implemented\n');
process.exitCode = 1;
