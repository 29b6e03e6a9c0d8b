// Runs every testdata/*.txt transcript of the view service (see datadriven/harness.ts).
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { runTranscripts } from '../datadriven/transcript.ts';
import { commands } from './datadriven/commands.ts';
import { newScene } from './datadriven/harness.ts';

describe('view service transcripts (testdata/*.txt)', () => {
  runTranscripts(fileURLToPath(new URL('./testdata/', import.meta.url)), newScene, commands);
});
